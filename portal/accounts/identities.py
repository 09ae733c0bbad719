"""Single sign-on: identities at an OpenID Connect provider linked to officials' accounts.

A government's unified identity platform (统一身份认证) speaks OpenID Connect; Streamlit's
st.login does the protocol (portal.ui.auth), and the provider's ID token names the person by
its issuer (`iss`) and subject (`sub`). Nobody chooses a role by signing in: an admin links an
(issuer, subject) to an existing account, and a sign-in through that identity is a sign-in to
that account, with the account's roles, in the same server-side session as a password
sign-in. An identity nobody linked is refused and audited, so that the admin can find it.

A provider's ID token starts at most one session: it must be fresh (issued within FRESH) and
newer than the last one the identity used (the token's `iat` is kept, and taken by a
conditional update, so two tabs racing with the same token get one session). Streamlit keeps
the token's claims in a cookie for 30 days; without these rules that cookie would quietly
sign the official in again after sign-out, the idle timeout or an admin ending the session.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Mapping
from urllib.parse import urlsplit

from pydantic import BaseModel, field_validator
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from portal.accounts import audit, sessions
from portal.accounts.actions import SignInResult, actor_for, get_for_admin
from portal.accounts.permissions import authorize
from portal.accounts.models import AuditEntry, Official, OfficialIdentity
from portal.accounts.rules import Actor
from portal.timeutil import utcnow
from portal.validation import InputError, Message, clean_text, parse

FRESH = timedelta(minutes=5)        # also the clock difference tolerated with the provider
MAX_CLAIM = 255                     # OpenID Connect Core: `sub` is at most 255 ASCII characters
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
NOT_LINKED = ("您的统一身份认证账号还没有关联本门户的账号，未登录。请把下面的“身份提供方”和“用户标识”告诉"
              "系统管理员，由管理员在“账号管理”中关联到您的账号后再登录。")


@dataclass(frozen=True)
class Claims:
    """What the provider's ID token says about the person, as single sign-on needs it."""
    issuer: str
    subject: str
    issued_at: int | None           # the token's `iat`, seconds since 1970
    name: str                       # name, login name or e-mail, for people to recognise


def claims_from(user: Mapping) -> Claims | None:
    """The claims of st.user (the ID token Streamlit checked), or None without iss and sub."""
    issuer, subject = user.get("iss"), user.get("sub")
    if not (isinstance(issuer, str) and issuer and isinstance(subject, str) and subject):
        return None
    iat = user.get("iat")
    issued_at = int(iat) if isinstance(iat, (int, float)) and not isinstance(iat, bool) else None
    name = next((str(user[k]) for k in ("name", "preferred_username", "email") if user.get(k)), "")
    return Claims(issuer, subject, issued_at, name[:100])


def _issuer(value: object) -> str:
    text = clean_text(value, "身份提供方", min_len=1, max_len=MAX_CLAIM)
    parts = urlsplit(text)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK
    if not (parts.scheme == "https" or loopback) or not parts.hostname or parts.query or parts.fragment:
        raise ValueError("身份提供方应是以 https:// 开头的网址，即身份认证平台在令牌中给出的签发方（iss），"
                         "如 https://tyrz.example.gov.cn（仅本机测试可用 http://localhost）")
    return text


def _subject(value: object) -> str:
    text = clean_text(value, "用户标识", min_len=1, max_len=MAX_CLAIM)
    if not all("!" <= ch <= "~" for ch in text):
        raise ValueError("用户标识只含英文字母、数字和符号，不含空格或汉字：请照登录被拒时页面上显示的“用户标识”原样填写")
    return text


class IdentityForm(BaseModel):
    issuer: str
    subject: str

    @field_validator("issuer", mode="before")
    @classmethod
    def _check_issuer(cls, value):
        return _issuer(value)

    @field_validator("subject", mode="before")
    @classmethod
    def _check_subject(cls, value):
        return _subject(value)


def _find(session: Session, issuer: str, subject: str) -> OfficialIdentity | None:
    return session.scalar(select(OfficialIdentity).where(
        OfficialIdentity.issuer == issuer, OfficialIdentity.subject == subject))


def link(session: Session, actor: Actor, username: str, data: dict,
         now: datetime | None = None) -> OfficialIdentity:
    """An admin links an identity (data: issuer, subject) to an account."""
    form = parse(IdentityForm, data)
    official = get_for_admin(session, actor, username, "official_link_identity")
    existing = _find(session, form.issuer, form.subject)
    if existing is not None:
        owner = session.get(Official, existing.official_id)
        raise InputError({"subject": Message("这个身份已关联到账号 {username}，请先取消那里的关联",
                                               username=owner.username)})
    row = OfficialIdentity(official_id=official.id, issuer=form.issuer, subject=form.subject,
                           linked_at=now or utcnow(), linked_by=actor.username)
    session.add(row)
    session.flush()
    audit.record(session, actor, "official_link_identity", object_type="official",
                 object_id=official.username, detail={"issuer": form.issuer, "subject": form.subject})
    return row


def unlink(session: Session, actor: Actor, data: dict) -> Official:
    """An admin removes a link; the sessions signed in through it end. The account it was
    linked to is returned."""
    form = parse(IdentityForm, data)
    authorize(actor, "official_unlink_identity")
    row = _find(session, form.issuer, form.subject)
    if row is None:
        raise InputError({"subject": Message("没有关联这个身份的账号")})
    official = session.get(Official, row.official_id)
    ended = sessions.end_for_identity(session, row.id, "unlinked")
    session.delete(row)
    audit.record(session, actor, "official_unlink_identity", object_type="official",
                 object_id=official.username,
                 detail={"issuer": form.issuer, "subject": form.subject, "ended": ended})
    return official


def linked(session: Session) -> list[tuple[OfficialIdentity, str]]:
    """Every link with its account's username, by username."""
    rows = session.execute(select(OfficialIdentity, Official.username).join(Official)
                           .order_by(Official.username, OfficialIdentity.linked_at))
    return [(link, username) for link, username in rows]


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def sign_in(session: Session, claims: Claims, now: datetime | None = None) -> SignInResult:
    """The account a provider's fresh ID token signs in to, or a refusal. An already used or
    stale token is refused without a word (result.message empty): it is Streamlit's
    remembered sign-in, not a new one."""
    now = now or utcnow()
    issued = claims.issued_at
    if issued is None or not (_epoch(now - FRESH) <= issued <= _epoch(now + FRESH)):
        return SignInResult(None, "")
    row = _find(session, claims.issuer, claims.subject)
    who = {"issuer": claims.issuer, "subject": claims.subject, "name": claims.name}
    if row is None:
        audit.record(session, None, "sign_in_sso_unlinked", object_type="identity",
                     object_id=claims.subject[:64], actor_name="anonymous", detail=who, at=now)
        return SignInResult(None, NOT_LINKED)
    taken = session.execute(
        update(OfficialIdentity)
        .where(OfficialIdentity.id == row.id,
               or_(OfficialIdentity.last_token_issued_at.is_(None),
                   OfficialIdentity.last_token_issued_at < issued))
        .values(last_token_issued_at=issued, last_sign_in_at=now))
    if taken.rowcount != 1:
        return SignInResult(None, "")
    official = session.get(Official, row.official_id)
    if not official.active:
        audit.record(session, None, "sign_in_failed", object_type="official", object_id=official.username,
                     actor_name=official.username, detail={"reason": "disabled", **who}, at=now)
        return SignInResult(None, "您的账号已停用，不能登录。如有疑问请联系系统管理员。")
    official.last_sign_in_at = now
    actor = actor_for(official)
    audit.record(session, actor, "sign_in_sso", object_type="official", object_id=official.username,
                 detail=who, at=now)
    # The password is not what signed in: a temporary one an admin set need not be changed first.
    return SignInResult(actor, "登录成功", identity_id=row.id)


def recent_unlinked(session: Session, since: datetime, limit: int = 20) -> list[dict]:
    """Identities refused since `since` that are still not linked, newest first (from the
    audit log): what an admin links when an official asks."""
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "sign_in_sso_unlinked", AuditEntry.at >= since)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(500))
    seen, found = set(), []
    for entry in entries:
        detail = audit.detail_of(entry)
        key = (detail.get("issuer"), detail.get("subject"))
        if key in seen or not all(isinstance(k, str) for k in key) or _find(session, *key):
            continue
        seen.add(key)
        found.append({"at": entry.at, "issuer": key[0], "subject": key[1], "name": detail.get("name", "")})
        if len(found) >= limit:
            break
    return found
