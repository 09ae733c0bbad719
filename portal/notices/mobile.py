"""Following by mobile: instead of e-mail's confirmation link, the number is proved by the
phone verification code (portal/verification.py, the same gateway as the notices). Only
then is the contact written (encrypted, with a keyed hash) and the follow active.

Citizens have no actor: the verification's own limits (per number, browser session and
client address) and the follow requests' per-client limit guard these."""
from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import personal, ratelimit, verification
from portal.clients import Client
from portal.notices import sms
from portal.notices.follows import FOLLOWABLE, _check_subject, _contact
from portal.notices.models import ACTIVE, SMS, Follow
from portal.notices.rules import FOLLOWS_PER_CONTACT, REQUESTS_PER_CLIENT_PER_DAY
from portal.timeutil import local_today, utcnow
from portal.validation import InputError, Message

PURPOSE = "notice_follow"       # the verification code's purpose, as the gateway is told


def _wanted(session: Session, data: dict) -> tuple[str, str]:
    topic = str(data.get("topic") or "")
    if topic not in FOLLOWABLE:
        raise InputError({"subject": Message("没有找到要关注的对象，请从商户或抽检结果页面重新进入")})
    return topic, _check_subject(session, topic, data.get("subject"))


def start_follow(session: Session, settings, client: Client, data: dict) -> verification.Started:
    """Ask to follow {topic, subject} at {phone}: a verification code is sent to the number
    (nothing is written about the number before the code comes back)."""
    if not sms.available(settings):
        raise InputError({"phone": Message("短信通知尚未开通，请改用电子邮箱")})
    _wanted(session, data)
    if not ratelimit.take(session, "notice:client", personal.keyed_hash(settings.secret_key, "address", client.address),
                          local_today().isoformat(), REQUESTS_PER_CLIENT_PER_DAY):
        raise InputError({"limit": Message("您所在的网络今天已提交 {n} 次关注申请，请明天再试", n=REQUESTS_PER_CLIENT_PER_DAY)})
    return verification.start(session, settings.secret_key, verification.sender_for(settings), data.get("phone"),
                              PURPOSE, client.session_id, client.address)


def confirm_follow(session: Session, settings, challenge_id: str, code: object, data: dict) -> Follow | None:
    """The code typed back: the number is the one the code went to, so the follow is active
    at once. None for a wrong code (the try is counted: let the transaction commit)."""
    topic, subject = _wanted(session, data)
    phone = personal.normalise_mobile(data.get("phone"))
    phone_hash = verification.confirm(session, settings.secret_key, challenge_id, code)
    if phone_hash is None:
        return None
    if phone is None or not secrets.compare_digest(phone_hash, personal.keyed_hash(settings.secret_key, "phone", phone)):
        raise InputError({"code": Message("验证已失效，请重新获取验证码")})
    contact = _contact(session, settings.secret_key, phone, SMS)
    follow = session.scalar(select(Follow).where(Follow.contact_id == contact.id, Follow.topic == topic,
                                                 Follow.subject == subject))
    if follow is None:
        count = session.scalar(select(func.count()).select_from(Follow).where(Follow.contact_id == contact.id))
        if count >= FOLLOWS_PER_CONTACT:
            raise InputError({"limit": Message("一个手机号最多关注 {n} 项，请先在短信里的链接中取消一些",
                                               n=FOLLOWS_PER_CONTACT)})
        follow = Follow(contact_id=contact.id, topic=topic, subject=subject, status=ACTIVE, confirmed_at=utcnow())
        session.add(follow)
        session.flush()
    elif follow.status != ACTIVE:
        follow.status, follow.confirmed_at = ACTIVE, utcnow()
    return follow
