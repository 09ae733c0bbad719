"""Officials' second factor: TOTP (RFC 6238, pyotp) from an authenticator app, enrolled with a
QR code (segno), and ten one-time recovery codes for a lost phone.

Required for every admin, and for the roles named by PORTAL_SECOND_FACTOR_ROLES. The secret
is stored encrypted (portal.personal.encrypt: a key derived from the portal's
secret, kept outside the database); a code is accepted once (the last used time step is
kept, so a code seen over a shoulder cannot be replayed) within one step of clock drift.
Recovery codes are stored as keyed hashes and each works once. Every enrolment, use, failure
and reset is audited.
"""
from __future__ import annotations

import io
import time
from datetime import datetime, timezone

import pyotp
import segno
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.accounts import audit, sessions
from portal.accounts.models import Official, RecoveryCode
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.personal import decrypt, encrypt, keyed_hash, normalise_code, random_code
from portal.timeutil import utcnow
from portal.validation import InputError, Message

ISSUER = "食品安全门户"
RECOVERY_CODES = 10
STEP = 30


def required(roles: frozenset[str], settings) -> bool:
    named = {r.strip() for r in settings.second_factor_roles.split(",") if r.strip()}
    return bool(roles & (named | {"admin"}))


def enrolled(official: Official | None) -> bool:
    return bool(official and official.totp_enabled_at and official.totp_secret)


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_qr_png(secret: str, username: str) -> bytes:
    """The QR code an authenticator app scans (otpauth://totp/...), as a PNG."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="png", scale=5, border=2)
    return out.getvalue()


def _step(now: datetime | None) -> int:
    if now is None:
        return int(time.time() // STEP)
    if now.tzinfo is None:                 # the portal's naive datetimes are UTC
        now = now.replace(tzinfo=timezone.utc)
    return int(now.timestamp() // STEP)


def _matching_step(secret: str, code: str, now: datetime | None) -> int | None:
    """The time step (within one of now) whose code this is, or None."""
    totp = pyotp.TOTP(secret)
    step = _step(now)
    for candidate in (step, step - 1, step + 1):
        if code == totp.at(candidate * STEP):
            return candidate
    return None


def _code(raw: object) -> str:
    return "".join(ch for ch in str(raw or "") if ch.isdigit())[:6]


def enrol(session: Session, secret_key: str, actor: Actor, pending_secret: str, code: object,
          now: datetime | None = None) -> list[str]:
    """Confirm the secret the official's app now shows codes for; the recovery codes (shown
    once). Enrolling again replaces the secret and the codes."""
    authorize(actor, "totp_enrol")
    official = session.get(Official, actor.id) if actor.id else None
    if official is None or not official.active:
        raise InputError({"code": Message("账号不存在或已停用")})
    step = _matching_step(pending_secret, _code(code), now)
    if step is None:
        audit.record(session, actor, "totp_enrol_failed", object_type="official", object_id=official.username)
        raise InputError({"code": Message("验证码不对：请输入验证器应用里显示的 6 位数字（注意手机时间要准确）")})
    official.totp_secret = encrypt(secret_key, pending_secret)
    official.totp_enabled_at = now or utcnow()
    official.totp_last_step = step
    codes = [random_code(10) for _ in range(RECOVERY_CODES)]
    session.execute(delete(RecoveryCode).where(RecoveryCode.official_id == official.id))
    session.add_all(RecoveryCode(official_id=official.id, code_hash=keyed_hash(secret_key, "recovery", c))
                    for c in codes)
    audit.record(session, actor, "totp_enrol", object_type="official", object_id=official.username)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def verify(session: Session, secret_key: str, official: Official, code: object,
           now: datetime | None = None) -> bool:
    """A TOTP code (not used before) or an unused recovery code; audited either way."""
    name = official.username
    digits = _code(code)
    secret = decrypt(secret_key, official.totp_secret) if official.totp_secret else None
    step = _matching_step(secret, digits, now) if secret and len(digits) == 6 else None
    if step is not None and step > (official.totp_last_step or -1):
        official.totp_last_step = step
        audit.record(session, None, "totp_use", object_type="official", object_id=name, actor_name=name)
        return True
    recovery = session.scalar(select(RecoveryCode).where(
        RecoveryCode.official_id == official.id, RecoveryCode.used_at.is_(None),
        RecoveryCode.code_hash == keyed_hash(secret_key, "recovery", normalise_code(code))))
    if recovery is not None:
        recovery.used_at = now or utcnow()
        audit.record(session, None, "recovery_code_use", object_type="official", object_id=name,
                     actor_name=name)
        return True
    audit.record(session, None, "totp_failed", object_type="official", object_id=name, actor_name=name)
    return False


def recovery_codes_left(session: Session, official_id: int) -> int:
    return len(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.official_id == official_id, RecoveryCode.used_at.is_(None))).all())


def reset(session: Session, actor: Actor, official: Official) -> None:
    """An admin clears an official's second factor (a lost phone and no recovery code left):
    the official enrols again at the next sign-in; their sessions end."""
    authorize(actor, "totp_reset")
    official.totp_secret = official.totp_enabled_at = official.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.official_id == official.id))
    sessions.end_all(session, official.id, "admin")
    audit.record(session, actor, "totp_reset", object_type="official", object_id=official.username)
