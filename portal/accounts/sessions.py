"""Officials' sign-in sessions: one sign-in per device for a working day.

A session is a row; the browser holds a signed, HttpOnly cookie (portal.cookies) with a
random token whose keyed hash is the row's `token_hash`. The page that checked the password
cannot set a cookie itself (it speaks over a websocket), so it creates the row with a
one-time hand-over code, valid for a minute, and emits a script that posts the code to the
`/official-session` route; the route swaps the code for a fresh token and sets the cookie.
The code is useless once used or after its minute, and the token never appears in a page.

A session ends at sign-out (everywhere it is used: other tabs check the row on their next
run), when an admin ends it, when the official's password changes (the others), when the
account is disabled, after the working-day lifetime, and after the idle timeout, which
slides with activity in any tab. Rows survive restarts and are shared by every process.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.models import Official, OfficialSession
from portal.personal import keyed_hash
from portal.timeutil import utcnow

HANDOFF_VALID = timedelta(minutes=1)
TOUCH_EVERY = timedelta(seconds=30)      # last_seen_at is written at most this often
MAX_CODE_LENGTH = 100
# Why a session ended, as stored and as the official is told.
ENDED = {"sign_out": "您已安全退出。",
         "idle": "您已 {idle} 分钟没有操作，为保护数据已自动退出，请重新登录。",
         "lifetime": "登录已超过 {hours} 小时，请重新登录。",
         "admin": "管理员结束了您的登录，请重新登录。",
         "password": "您的密码已修改，其他设备上的登录已结束，请重新登录。",
         "disabled": "您的账号已被停用，已退出登录。",
         "unlinked": "管理员取消了您的统一身份认证关联，已退出登录。"}


def _hash(secret: str, kind: str, value: str) -> str:
    return keyed_hash(secret, f"official-{kind}", value)


def start(session: Session, secret: str, official_id: int, lifetime: timedelta,
          now: datetime | None = None, identity_id: int | None = None) -> tuple[int, str]:
    """A new session after a good sign-in: (its id, the one-time hand-over code).
    identity_id: the linked identity it began with, for a single sign-on."""
    now = now or utcnow()
    code = secrets.token_urlsafe(24)
    row = OfficialSession(official_id=official_id, handoff_hash=_hash(secret, "handoff", code),
                          handoff_expires_at=now + HANDOFF_VALID, created_at=now, last_seen_at=now,
                          expires_at=now + lifetime, identity_id=identity_id)
    session.add(row)
    session.flush()
    return row.id, code


def redeem(session: Session, secret: str, code: object, now: datetime | None = None) -> str | None:
    """The route's half: a fresh token for a valid, unused hand-over code, else None. The
    update is conditional on the code still being there, so two racing posts get one token."""
    now = now or utcnow()
    if not isinstance(code, str) or not code or len(code) > MAX_CODE_LENGTH:
        return None
    token = secrets.token_urlsafe(32)
    taken = session.execute(
        update(OfficialSession)
        .where(OfficialSession.handoff_hash == _hash(secret, "handoff", code),
               OfficialSession.handoff_expires_at > now, OfficialSession.ended_at.is_(None),
               OfficialSession.token_hash.is_(None))
        .values(token_hash=_hash(secret, "token", token), handoff_hash=None, handoff_expires_at=None))
    return token if taken.rowcount == 1 else None


@dataclass(frozen=True)
class Check:
    session_id: int | None
    official: Official | None
    ended: str | None          # a key of ENDED when the session has just ended
    identity_id: int | None = None     # began with single sign-on through this identity


def _check_row(session: Session, row: OfficialSession | None, now: datetime, idle: timedelta) -> Check:
    if row is None or row.ended_at is not None:
        return Check(None, None, row.ended_reason if row is not None else None)
    official = session.get(Official, row.official_id)
    reason = ("disabled" if official is None or not official.active else
              "lifetime" if now >= row.expires_at else
              "idle" if now - row.last_seen_at >= idle else None)
    if reason:
        _end(session, row, reason, now)
        return Check(None, None, reason)
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return Check(row.id, official, None, row.identity_id)


def resume(session: Session, secret: str, token: str | None, idle: timedelta,
           now: datetime | None = None) -> Check:
    """A new browser session (reload, new tab, deep link) carrying the cookie's token."""
    if not token:
        return Check(None, None, None)
    row = session.scalar(select(OfficialSession)
                         .where(OfficialSession.token_hash == _hash(secret, "token", token)))
    return _check_row(session, row, now or utcnow(), idle)


def check(session: Session, session_id: int, idle: timedelta, now: datetime | None = None) -> Check:
    """A tab that is signed in: is its session still going? (and note the activity)"""
    return _check_row(session, session.get(OfficialSession, session_id), now or utcnow(), idle)


def _end(session: Session, row: OfficialSession, reason: str, now: datetime) -> None:
    row.ended_at, row.ended_reason = now, reason
    row.handoff_hash = row.handoff_expires_at = None
    official = session.get(Official, row.official_id)
    audit.record(session, None, "session_end", object_type="official",
                 object_id=official.username if official else str(row.official_id),
                 actor_name=official.username if official else "system", detail={"reason": reason}, at=now)


def end(session: Session, session_id: int | None, reason: str = "sign_out",
        now: datetime | None = None) -> None:
    row = session.get(OfficialSession, session_id) if session_id else None
    if row is not None and row.ended_at is None:
        _end(session, row, reason, now or utcnow())


def end_by_token(session: Session, secret: str, token: str | None, now: datetime | None = None) -> None:
    """Sign-out through the route (the cookie is all it has)."""
    if token:
        row = session.scalar(select(OfficialSession)
                             .where(OfficialSession.token_hash == _hash(secret, "token", token)))
        if row is not None and row.ended_at is None:
            _end(session, row, "sign_out", now or utcnow())


def end_all(session: Session, official_id: int, reason: str, keep: int | None = None,
            now: datetime | None = None) -> int:
    """End an official's sessions (all, or all but `keep`); the number ended."""
    mine = [OfficialSession.official_id == official_id]
    if keep is not None:
        mine.append(OfficialSession.id != keep)
    return _end_where(session, reason, now, *mine)


def end_for_identity(session: Session, identity_id: int, reason: str,
                     now: datetime | None = None) -> int:
    """End the sessions that began with this single sign-on identity; the number ended."""
    return _end_where(session, reason, now, OfficialSession.identity_id == identity_id)


def _end_where(session: Session, reason: str, now: datetime | None, *conditions) -> int:
    now = now or utcnow()
    rows = session.scalars(select(OfficialSession).where(
        OfficialSession.ended_at.is_(None), *conditions)).all()
    for row in rows:
        _end(session, row, reason, now)
    return len(rows)


def active_count(session: Session, official_id: int, now: datetime | None = None) -> int:
    now = now or utcnow()
    return len(session.scalars(select(OfficialSession.id).where(
        OfficialSession.official_id == official_id, OfficialSession.ended_at.is_(None),
        OfficialSession.expires_at > now)).all())
