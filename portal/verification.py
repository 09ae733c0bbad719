"""Phone verification for voters (and survey respondents): a pluggable sender.

A challenge (code hashed with the portal's key, ten minutes, five tries) lives in the
database, so any replica can check it. Senders: "demo" shows the code on screen, clearly
labelled; "webhook" posts {"phone", "code", "purpose"} as JSON to an SMS gateway. Without a
configured gateway, verification is unavailable and the pages say so.
"""
from __future__ import annotations

import json
import secrets
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal import ratelimit
from portal.personal import keyed_hash, normalise_mobile
from portal.db import Base
from portal.timeutil import to_local, utcnow
from portal.validation import InputError, Message

CODE_MINUTES, MAX_TRIES = 10, 5
SEND_LIMITS = (("otp:phone", "phone", 5), ("otp:session", "session", 10), ("otp:address", "address", 50))


class PhoneChallenge(Base):
    __tablename__ = "phone_challenges"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    verified_at: Mapped[datetime | None]


class SendError(RuntimeError):
    pass


@dataclass(frozen=True)
class Sender:
    kind: str
    url: str = ""

    @property
    def available(self) -> bool:
        return self.kind == "demo" or bool(self.url)

    @property
    def shows_code(self) -> bool:
        return self.kind == "demo"

    def send(self, phone: str, code: str, purpose: str) -> None:
        if self.kind == "demo":
            return
        if not self.url:
            raise SendError("no SMS gateway configured")
        body = json.dumps({"phone": phone, "code": code, "purpose": purpose,
                           "minutes": CODE_MINUTES}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=8) as response:
                if response.status >= 300:
                    raise SendError(f"gateway answered {response.status}")
        except OSError as exc:
            raise SendError(str(exc)) from exc


def sender_for(settings) -> Sender:
    return Sender(settings.phone_verification, settings.sms_webhook_url)


@dataclass(frozen=True)
class Started:
    challenge_id: str
    masked: str
    demo_code: str | None      # only with the demo sender, to be shown labelled 演示


def start(session: Session, secret: str, sender: Sender, raw_phone: object, purpose: str,
          session_id: str, address: str, now: datetime | None = None) -> Started:
    if not sender.available:
        raise InputError({"phone": Message("短信验证服务尚未开通，暂时无法验证手机号，请稍后再来")})
    phone = normalise_mobile(raw_phone)
    if phone is None:
        raise InputError({"phone": Message("手机号码格式不对：请填写 11 位手机号，如 13812345678")})
    now = now or utcnow()
    day = to_local(now).date().isoformat()
    keys = {"phone": phone, "session": session_id, "address": address}
    for scope, key, limit in SEND_LIMITS:
        if not ratelimit.take(session, scope, keyed_hash(secret, key, keys[key]), day, limit):
            raise InputError({"phone": Message("今天获取验证码的次数太多了，请明天再试")})
    challenge_id = secrets.token_urlsafe(18)
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(PhoneChallenge(id=challenge_id, phone_hash=keyed_hash(secret, "phone", phone),
                               code_hash=keyed_hash(secret, "otp", challenge_id + code),
                               purpose=purpose, created_at=now,
                               expires_at=now + timedelta(minutes=CODE_MINUTES)))
    session.flush()
    try:
        sender.send(phone, code, purpose)
    except SendError:
        raise InputError({"phone": Message("验证码发送失败，请稍后再试")}) from None
    return Started(challenge_id, f"{phone[:3]}****{phone[-4:]}", code if sender.shows_code else None)


def confirm(session: Session, secret: str, challenge_id: str, raw_code: object,
            now: datetime | None = None) -> str | None:
    """The verified phone's keyed hash (the voter's identity); None for a wrong code (the
    try is counted: let the transaction commit); InputError when the challenge is spent."""
    now = now or utcnow()
    challenge = session.get(PhoneChallenge, str(challenge_id or "")[:32], with_for_update=True)
    code = "".join(ch for ch in str(raw_code or "") if ch.isdigit())[:6]
    if challenge is None or challenge.verified_at is not None:
        raise InputError({"code": Message("验证已失效，请重新获取验证码")})
    if now > challenge.expires_at:
        raise InputError({"code": Message("验证码已超过 {n} 分钟，请重新获取", n=CODE_MINUTES)})
    if challenge.tries >= MAX_TRIES:
        raise InputError({"code": Message("输错次数太多，请重新获取验证码")})
    challenge.tries += 1
    if not secrets.compare_digest(challenge.code_hash, keyed_hash(secret, "otp", challenge_id + code)):
        return None
    challenge.verified_at = now
    return challenge.phone_hash


def tries_left(session: Session, challenge_id: str) -> int:
    challenge = session.get(PhoneChallenge, str(challenge_id or "")[:32])
    return 0 if challenge is None else max(0, MAX_TRIES - challenge.tries)
