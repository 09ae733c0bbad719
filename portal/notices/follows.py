"""Citizens' actions on follows: ask to follow (double opt-in), confirm, stop following,
unsubscribe (the contact erased). Citizens have no actor: the rate limits and the
confirmation link guard these, and no answer says whether an address was known."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal import personal, ratelimit
from portal.clients import Client
from portal.i18n import N_
from portal.notices import events, links, voters
from portal.notices.models import (ACTIVE, ALL_FAILED, BUSINESS, CATEGORY, COMPLAINT, DISTRICT, EMAIL,
                                   FOLLOW_CONFIRM, PENDING, SMS, Delivery, Follow, NoticeContact)
from portal.notices.rules import (FOLLOWS_PER_CONTACT, REQUESTS_PER_ADDRESS_PER_DAY,
                                  REQUESTS_PER_CLIENT_PER_DAY, UNCONFIRMED_DAYS)
from portal.registry.models import Business, District
from portal.sampling.models import SamplingBatch
from portal.timeutil import local_today, utcnow
from portal.validation import InputError, Message, normalise_email  # noqa: F401 (used by callers too)

FOLLOWABLE = (BUSINESS, DISTRICT, CATEGORY, ALL_FAILED)
# How often a follow mails (stored as Follow.digest); labels for the form and manage page.
IMMEDIATE, DAILY = "immediate", "daily"
CADENCES = {IMMEDIATE: N_("即时：一有消息就发邮件"), DAILY: N_("每日汇总：每天一封，列出当天的全部消息")}


def _contact(session: Session, secret_key: str, address: str, channel: str = EMAIL) -> NoticeContact:
    digest = personal.keyed_hash(secret_key, f"notice:{channel}", address)
    contact = session.scalar(select(NoticeContact).where(NoticeContact.channel == channel,
                                                         NoticeContact.address_hash == digest))
    if contact is None:
        contact = NoticeContact(channel=channel, address_hash=digest, bounces=0,
                                address_enc=personal.encrypt(secret_key, address),
                                link_key=secrets.token_hex(16))
        session.add(contact)
        session.flush()
    return contact


def _check_subject(session: Session, topic: str, subject: str) -> str:
    subject = str(subject or "").strip()[:64]
    if topic == BUSINESS and subject.isdigit() and session.get(Business, int(subject)):
        return subject
    if topic == DISTRICT and session.get(District, subject):
        return subject
    # A category someone could type into a link would be echoed in the confirmation mail's
    # subject: only a category of a published batch is one to follow.
    if topic == CATEGORY and subject and session.scalar(
            select(SamplingBatch.id).where(SamplingBatch.category == subject).limit(1)) is not None:
        return subject
    if topic == ALL_FAILED:
        return "*"
    raise InputError({"subject": Message("没有找到要关注的对象，请从商户或抽检结果页面重新进入")})


def take_request_allowance(session: Session, secret_key: str, client: Client, address: str) -> None:
    """Count one request for a confirmation mail, or InputError when this client or this
    address has had its day's share."""
    day = local_today().isoformat()
    if not ratelimit.take(session, "notice:client", personal.keyed_hash(secret_key, "address", client.address),
                          day, REQUESTS_PER_CLIENT_PER_DAY):
        raise InputError({"limit": Message("您所在的网络今天已提交 {n} 次关注申请，请明天再试", n=REQUESTS_PER_CLIENT_PER_DAY)})
    if not ratelimit.take(session, "notice:address", personal.keyed_hash(secret_key, "notice:email", address),
                          day, REQUESTS_PER_ADDRESS_PER_DAY):
        raise InputError({"limit": Message("这个邮箱今天已收到 {n} 封确认邮件，请先查看邮箱（包括垃圾邮件），或明天再试",
                                           n=REQUESTS_PER_ADDRESS_PER_DAY)})


def request_follow(session: Session, secret_key: str, client: Client, data: dict) -> None:
    """Ask to follow {topic, subject} at {email}: a confirmation mail is queued (nothing is
    followed before its link is opened). The same answer whether or not the address already
    follows, so the form cannot tell anyone what someone else follows."""
    topic = str(data.get("topic") or "")
    if topic not in FOLLOWABLE:
        raise InputError({"subject": Message("没有找到要关注的对象，请从商户或抽检结果页面重新进入")})
    address = normalise_email(data.get("email"))
    if address is None:
        raise InputError({"email": Message("请填写有效的电子邮箱地址，例如 name@example.com")})
    subject = _check_subject(session, topic, data.get("subject"))
    take_request_allowance(session, secret_key, client, address)
    contact = _contact(session, secret_key, address)
    digest = _cadence(data.get("cadence"))
    follow = session.scalar(select(Follow).where(Follow.contact_id == contact.id, Follow.topic == topic,
                                                 Follow.subject == subject))
    if follow is not None and follow.status == ACTIVE:
        return      # a confirmed follow's choice changes only through its own manage link
    if follow is None:
        count = session.scalar(select(func.count()).select_from(Follow).where(Follow.contact_id == contact.id))
        if count >= FOLLOWS_PER_CONTACT:
            raise InputError({"limit": Message("一个邮箱最多关注 {n} 项，请先在邮件里的“管理我的关注”中取消一些",
                                               n=FOLLOWS_PER_CONTACT)})
        follow = Follow(contact_id=contact.id, topic=topic, subject=subject, status=PENDING, digest=digest)
        session.add(follow)
        session.flush()
    follow.digest = digest      # pending: the latest request's choice, shown on the confirm page
    events.direct(session, FOLLOW_CONFIRM, follow.id, contact.id)


def _cadence(raw: object) -> bool:
    """True for 每日汇总; 即时 (the default) otherwise. Anything else is refused."""
    value = str(raw or IMMEDIATE)
    if value not in CADENCES:
        raise InputError({"cadence": Message("请选择“即时”或“每日汇总”")})
    return value == DAILY


def set_cadence(session: Session, contact: NoticeContact, follow_id: int, raw: object) -> Follow | None:
    """The manage page's choice for one of this contact's follows (None: not its follow, or
    an SMS contact's: SMS notices go out at once, there is no digest by SMS)."""
    digest = _cadence(raw)
    if contact.channel == SMS:
        return None
    follow = session.scalar(select(Follow).where(Follow.id == follow_id, Follow.contact_id == contact.id,
                                                 Follow.topic != COMPLAINT))
    if follow is not None:
        follow.digest = digest
    return follow


def expire_unconfirmed(db, now: datetime) -> int:
    """Retention: follows nobody confirmed within UNCONFIRMED_DAYS are deleted, and with the
    last of them the address (nobody said they want mail there). The number of addresses
    erased."""
    stale = (Follow.status == PENDING) & (Follow.created_at < now - timedelta(days=UNCONFIRMED_DAYS))
    with db.read() as session:          # the write lock only when some are stale
        if session.scalar(select(Follow.id).where(stale).limit(1)) is None:
            return 0
    with db.write() as session:
        return _drop_follows(session, stale)


def drop_complaint_follows(session: Session, complaint_ids: list[int]) -> int:
    """Retention of complaints (complaints.retention): the cases' personal data goes, and so
    do their follows, and the addresses that followed nothing else. The addresses erased."""
    return _drop_follows(session, (Follow.topic == COMPLAINT) & Follow.subject.in_([str(i) for i in complaint_ids]))


def _drop_follows(session: Session, which) -> int:
    contacts = set(session.scalars(select(Follow.contact_id).where(which)))
    if not contacts:
        return 0
    session.execute(delete(Follow).where(which))
    left = set(session.scalars(select(Follow.contact_id).distinct().where(Follow.contact_id.in_(contacts))))
    for contact_id in sorted(contacts - left):
        erase_contact(session, contact_id)
    return len(contacts - left)


def follow_complaint(session: Session, secret_key: str, address: str, complaint_id: int,
                     channel: str = EMAIL) -> int:
    """The complainant agreed at filing to be told about the case (by mail, or by SMS at the
    form's mobile number): an active follow of it (the address was typed in the same form
    that is being sent). The contact's id."""
    contact = _contact(session, secret_key, address, channel)
    if session.scalar(select(Follow.id).where(Follow.contact_id == contact.id, Follow.topic == COMPLAINT,
                                              Follow.subject == str(complaint_id))) is None:
        session.add(Follow(contact_id=contact.id, topic=COMPLAINT, subject=str(complaint_id),
                           status=ACTIVE, confirmed_at=utcnow()))
        session.flush()
    return contact.id


def complaint_contact(session: Session, secret_key: str, address: str, complaint_id: int) -> int | None:
    """The contact of `address` when it follows this complaint (given at filing), or None."""
    digest = personal.keyed_hash(secret_key, f"notice:{EMAIL}", address)
    return session.scalar(select(NoticeContact.id).join(Follow, Follow.contact_id == NoticeContact.id).where(
        NoticeContact.channel == EMAIL, NoticeContact.address_hash == digest, Follow.topic == COMPLAINT,
        Follow.subject == str(complaint_id)))


def confirm(session: Session, secret_key: str, raw_token: str) -> Follow | None:
    """Open a confirmation link: the follow becomes active. None for a bad or dead link."""
    follow_id = links.token_id(raw_token)
    follow = session.get(Follow, follow_id) if follow_id else None
    if follow is None:
        return None
    contact = session.get(NoticeContact, follow.contact_id)
    if not links.valid(secret_key, links.CONFIRM, raw_token, contact.link_key):
        return None
    if follow.status != ACTIVE:
        follow.status, follow.confirmed_at = ACTIVE, utcnow()
    if follow.topic == voters.CANDIDATE:      # a voter's candidates, asked for together
        voters.confirm_together(session, follow, utcnow())
    return follow


def contact_of(session: Session, secret_key: str, purpose: str, raw_token: str) -> NoticeContact | None:
    """The contact a manage or unsubscribe link belongs to, or None."""
    contact_id = links.token_id(raw_token)
    contact = session.get(NoticeContact, contact_id) if contact_id else None
    if contact is None or not links.valid(secret_key, purpose, raw_token, contact.link_key):
        return None
    return contact


def follows_of(session: Session, contact: NoticeContact) -> list[Follow]:
    return list(session.scalars(select(Follow).where(Follow.contact_id == contact.id).order_by(Follow.id)))


def erase_contact(session: Session, contact_id: int) -> None:
    """Erase an address: its deliveries (sent or not), then the contact (its follows go by
    the foreign key's cascade)."""
    session.execute(delete(Delivery).where(Delivery.contact_id == contact_id))
    session.execute(delete(NoticeContact).where(NoticeContact.id == contact_id))


def unsubscribe(session: Session, contact: NoticeContact) -> None:
    """Erase the contact: its address, its follows and its unsent messages."""
    erase_contact(session, contact.id)


def unfollow(session: Session, contact: NoticeContact, follow_id: int) -> None:
    """Stop one follow; the last one gone, the address is erased too."""
    session.execute(delete(Follow).where(Follow.id == follow_id, Follow.contact_id == contact.id))
    if not session.scalar(select(func.count()).select_from(Follow).where(Follow.contact_id == contact.id)):
        unsubscribe(session, contact)
