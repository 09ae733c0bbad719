"""Account actions. Each: validate -> check who may -> write (with an audit row).

Every function takes an open Session; the caller owns the transaction (Database.write()).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts import audit, second_factor, sessions
from portal.accounts.models import Official, OfficialRole
from portal.accounts.permissions import PermissionDenied, authorize  # noqa: F401 (re-exported)
from portal.accounts.passwords import (hash_password, needs_rehash, password_problem,
                                       random_password, verify_password)
from portal.accounts.rules import ROLES, Actor
from portal.accounts.throttle import SignInThrottle, clear_pair
from portal.accounts.throttle import take as throttle_take, unlock as clear_delays
from portal.timeutil import to_local, utcnow
from portal.validation import InputError, checked, Message, clean_text, normalise_email, parse

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")


def _check_roles(roles) -> list[str]:
    chosen = sorted(set(roles or []))
    if not chosen:
        raise ValueError("请至少选择一个角色")
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise ValueError(f"未知角色：{'、'.join(unknown)}")
    return chosen


class NewOfficial(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    password: str

    @field_validator("username", mode="before")
    @classmethod
    def _username(cls, value):
        value = str(value or "").strip().lower()
        if not USERNAME_RE.match(value):
            raise ValueError("用户名需 3–32 个字符，以小写字母开头，只含小写字母、数字、点、横线或下划线")
        return value

    @field_validator("display_name", mode="before")
    @classmethod
    def _display_name(cls, value):
        return clean_text(value, "姓名", min_len=1, max_len=40)

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value):
        return _check_roles(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value, info):
        problem = password_problem(value, info.data.get("username", ""))
        if problem:
            raise ValueError(problem)
        return value


def actor_for(official: Official) -> Actor:
    return Actor(official.id, official.username, official.display_name, official.roles)


def find_official(session: Session, username: str) -> Official | None:
    return session.scalar(select(Official).where(Official.username == username.strip().lower()))


def create_official(session: Session, actor: Actor, data: dict, *,
                    is_demo: bool = False, must_change_password: bool = False) -> Official:
    authorize(actor, "official_create")
    form = parse(NewOfficial, data)
    if find_official(session, form.username):
        raise InputError({"username": Message("用户名 {username} 已被使用，请换一个", username=form.username)})
    official = Official(username=form.username, display_name=form.display_name,
                        password_hash=hash_password(form.password), active=True,
                        must_change_password=must_change_password, is_demo=is_demo,
                        created_at=utcnow())
    official.role_links = [OfficialRole(role=r) for r in form.roles]
    session.add(official)
    session.flush()
    audit.record(session, actor, "official_create", object_type="official",
                 object_id=official.username, detail={"roles": form.roles,
                                                      "display_name": form.display_name})
    return official


@dataclass(frozen=True)
class SignInResult:
    actor: Actor | None
    message: str
    must_change_password: bool = False
    identity_id: int | None = None      # signed in through this single sign-on identity


def _wait_text(until: datetime, now: datetime) -> str:
    left = max(1, int((until - now).total_seconds() + 0.999))
    wait = f"{left} 秒" if left < 60 else f"{-(-left // 60)} 分钟"
    return f"北京时间 {to_local(until):%H:%M:%S}（约 {wait}后）"


def sign_in(session: Session, username: str, password: str, *, secret: str,
            address: str = "unknown", throttle: SignInThrottle = SignInThrottle(),
            now: datetime | None = None) -> SignInResult:
    """Check a password. Each try is first counted as a failure (accounts.throttle: growing
    delays per username and address, and per address), atomically, then the password is
    checked; a delayed try is refused unchecked. Unknown names are counted the same way and
    answered with the same message (no hint which usernames exist)."""
    now = now or utcnow()
    name = (username or "").strip().lower()[:64]
    address = (address or "unknown")[:64]
    savepoint = session.begin_nested()
    taken = throttle_take(session, secret, throttle, name, address, now)
    if taken.refused:
        savepoint.rollback()
        audit.record(session, None, "sign_in_locked", object_type="official", object_id=name,
                     actor_name=name or "anonymous", at=now,
                     detail={"address": address, "scope": taken.scope})
        where = "本网络地址" if taken.scope == "address" else "本网络地址上的这个账号"
        return SignInResult(None, f"登录失败次数过多，为防止他人猜测密码，{where}暂时不能登录（密码未核对）。"
                                  f"请于{_wait_text(taken.wait_until, now)}再试；"
                                  f"也可换用其他网络，或请系统管理员解除限制。")
    official = find_official(session, name) if name else None
    good = verify_password(official.password_hash if official else None, password or "")
    if not good or not official.active:
        savepoint.commit()
        audit.record(session, None, "sign_in_failed", object_type="official", object_id=name,
                     actor_name=name or "anonymous", at=now,
                     detail={"address": address, **({"reason": "disabled"} if good else {})})
        hint = (f"为防止猜测密码，下一次尝试请等到{_wait_text(taken.wait_until, now)}。"
                if taken.wait_until else "")
        return SignInResult(None, "用户名或密码不正确，或账号已停用。" + hint)
    savepoint.rollback()    # the right password: this try was no failure
    clear_pair(session, secret, name, address)
    if needs_rehash(official.password_hash):
        official.password_hash = hash_password(password)
    official.last_sign_in_at = now
    actor = actor_for(official)
    audit.record(session, actor, "sign_in", object_type="official", object_id=official.username,
                 at=now)
    return SignInResult(actor, "登录成功", official.must_change_password)


def unlock(session: Session, actor: Actor, username: str) -> int:
    """Clear the sign-in delays on an account (and on the addresses it was tried from)."""
    official = get_for_admin(session, actor, username, "official_unlock")
    cleared = clear_delays(session, official.username)
    audit.record(session, actor, "official_unlock", object_type="official",
                 object_id=official.username, detail={"cleared": cleared})
    return cleared


def get_for_admin(session: Session, actor: Actor, username: str, action: str) -> Official:
    """The account an admin acts on, once `actor` is authorized for `action`."""
    authorize(actor, action)
    official = find_official(session, username)
    if official is None:
        raise InputError({"username": Message("没有用户名为 {username} 的账号", username=username)})
    return official


def _active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Official).join(OfficialRole)
        .where(Official.active.is_(True), OfficialRole.role == "admin")) or 0


def set_active(session: Session, actor: Actor, username: str, active: bool) -> Official:
    official = get_for_admin(session, actor, username,
                             "official_enable" if active else "official_disable")
    if not active:
        if official.id == actor.id:
            raise InputError({"username": Message("不能停用自己的账号")})
        if "admin" in official.roles and official.active and _active_admins(session) <= 1:
            raise InputError({"username": Message("这是最后一个可用的管理员账号，不能停用")})
    if official.active != active:
        official.active = active
        if not active:
            sessions.end_all(session, official.id, "disabled")
        audit.record(session, actor, "official_enable" if active else "official_disable",
                     object_type="official", object_id=official.username)
    return official


def set_email(session: Session, actor: Actor, username: str, raw: object) -> Official:
    """An official's work address for the handlers' morning digest; empty removes it."""
    official = get_for_admin(session, actor, username, "official_set_email")
    email = None
    if str(raw or "").strip():
        email = normalise_email(raw)
        if email is None:
            raise InputError({"email": Message("请填写有效的电子邮箱地址，例如 name@example.gov.cn")})
    if official.email != email:
        before, official.email = official.email, email
        audit.record(session, actor, "official_set_email", object_type="official", object_id=official.username,
                     detail={"before": before or "", "after": email or ""})
    return official


def set_roles(session: Session, actor: Actor, username: str, roles) -> Official:
    official = get_for_admin(session, actor, username, "official_set_roles")
    chosen = checked("roles", _check_roles, roles)
    if "admin" in official.roles and "admin" not in chosen:
        if official.id == actor.id:
            raise InputError({"roles": Message("不能取消自己的管理员角色")})
        if official.active and _active_admins(session) <= 1:
            raise InputError({"roles": Message("这是最后一个可用的管理员账号，不能取消其管理员角色")})
    before = sorted(official.roles)
    if before != chosen:
        official.role_links = [OfficialRole(role=r) for r in chosen]
        audit.record(session, actor, "official_set_roles", object_type="official",
                     object_id=official.username, detail={"before": before, "after": chosen})
    return official


def reset_password(session: Session, actor: Actor, username: str) -> str:
    """A new random password, shown once to the admin; the official must change it."""
    official = get_for_admin(session, actor, username, "official_reset_password")
    temporary = random_password()
    official.password_hash = hash_password(temporary)
    official.must_change_password = True
    sessions.end_all(session, official.id, "password")
    audit.record(session, actor, "official_reset_password", object_type="official",
                 object_id=official.username)
    return temporary


def change_own_password(session: Session, actor: Actor, current: str, new: str,
                        repeat: str, keep_session: int | None = None) -> None:
    """keep_session: the session the change is made from; the official's other sessions
    end (a changed password shuts out whoever had the old one)."""
    authorize(actor, "official_change_password")
    official = session.get(Official, actor.id) if actor.id else None
    if official is None or not official.active:
        raise InputError({"current": Message("账号不存在或已停用")})
    if not verify_password(official.password_hash, current or ""):
        raise InputError({"current": Message("当前密码不正确")})
    problem = password_problem(new or "", official.username)
    if problem:
        raise InputError({"new": Message(problem)})
    if new != repeat:
        raise InputError({"repeat": Message("两次输入的新密码不一致")})
    if verify_password(official.password_hash, new):
        raise InputError({"new": Message("新密码不能与当前密码相同")})
    official.password_hash = hash_password(new)
    official.must_change_password = False
    sessions.end_all(session, official.id, "password", keep=keep_session)
    audit.record(session, actor, "official_change_password", object_type="official",
                 object_id=official.username)


def end_sessions(session: Session, actor: Actor, username: str) -> int:
    """An admin signs an account out on every device (audited with who did it)."""
    official = get_for_admin(session, actor, username, "official_end_sessions")
    ended = sessions.end_all(session, official.id, "admin")
    audit.record(session, actor, "official_end_sessions", object_type="official",
                 object_id=official.username, detail={"ended": ended})
    return ended


def reset_second_factor(session: Session, actor: Actor, username: str) -> None:
    """An admin clears an official's second factor (a lost phone, no recovery code left)."""
    second_factor.reset(session, actor, get_for_admin(session, actor, username, "totp_reset"))


def list_officials(session: Session) -> list[Official]:
    return list(session.scalars(select(Official).order_by(Official.username)))
