"""Account actions. Each: validate -> check who may -> write (with an audit row).

Every function takes an open Session; the caller owns the transaction (Database.write()).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts import audit, second_factor, sessions
from portal.accounts.models import AuditEntry, Official, OfficialRole
from portal.accounts.passwords import (hash_password, needs_rehash, password_problem,
                                       random_password, verify_password)
from portal.accounts.rules import ROLES, Actor, lockout_until
from portal.timeutil import utcnow
from portal.validation import InputError, clean_text, parse

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")


class PermissionDenied(PermissionError):
    """The actor lacks the role the action needs (message in Chinese)."""


def _require(actor: Actor, role: str) -> None:
    if not actor.may(role):
        raise PermissionDenied(f"需要“{ROLES[role]}”角色才能进行此操作")


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
    _require(actor, "admin")
    form = parse(NewOfficial, data)
    if find_official(session, form.username):
        raise InputError({"username": f"用户名 {form.username} 已被使用，请换一个"})
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


def _recent_failures(session: Session, username: str, since: datetime) -> list[datetime]:
    return list(session.scalars(
        select(AuditEntry.at).where(AuditEntry.action == "sign_in_failed",
                                    AuditEntry.object_type == "official",
                                    AuditEntry.object_id == username,
                                    AuditEntry.at > since)))


def sign_in(session: Session, username: str, password: str, *, max_failures: int,
            window_minutes: int, now: datetime | None = None) -> SignInResult:
    """Check a password. Failures are counted per username from the audit log, so the
    lock-out holds across processes and restarts; unknown names are counted the same way
    and answered with the same message (no hint which usernames exist)."""
    now = now or utcnow()
    name = (username or "").strip().lower()[:64]
    window = timedelta(minutes=window_minutes)
    locked = lockout_until(_recent_failures(session, name, now - window), now,
                           max_failures, window)
    if locked:
        audit.record(session, None, "sign_in_locked", object_type="official", object_id=name,
                     actor_name=name or "anonymous", at=now)
        minutes = max(1, int((locked - now).total_seconds() // 60) + 1)
        return SignInResult(None, f"连续登录失败次数过多，账号已暂时锁定，请约 {minutes} 分钟后再试，"
                                  f"或联系系统管理员。")
    official = find_official(session, name) if name else None
    good = verify_password(official.password_hash if official else None, password or "")
    if not good or not official.active:
        audit.record(session, None, "sign_in_failed", object_type="official", object_id=name,
                     actor_name=name or "anonymous", at=now,
                     detail={"reason": "disabled"} if good else None)
        left = max_failures - len(_recent_failures(session, name, now - window))
        hint = f"再失败 {left} 次将锁定 {window_minutes} 分钟。" if 0 < left < max_failures else ""
        return SignInResult(None, "用户名或密码不正确，或账号已停用。" + hint)
    if needs_rehash(official.password_hash):
        official.password_hash = hash_password(password)
    official.last_sign_in_at = now
    actor = actor_for(official)
    audit.record(session, actor, "sign_in", object_type="official", object_id=official.username,
                 at=now)
    return SignInResult(actor, "登录成功", official.must_change_password)


def _get_for_admin(session: Session, actor: Actor, username: str) -> Official:
    _require(actor, "admin")
    official = find_official(session, username)
    if official is None:
        raise InputError({"username": f"没有用户名为 {username} 的账号"})
    return official


def _active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Official).join(OfficialRole)
        .where(Official.active.is_(True), OfficialRole.role == "admin")) or 0


def set_active(session: Session, actor: Actor, username: str, active: bool) -> Official:
    official = _get_for_admin(session, actor, username)
    if not active:
        if official.id == actor.id:
            raise InputError({"username": "不能停用自己的账号"})
        if "admin" in official.roles and official.active and _active_admins(session) <= 1:
            raise InputError({"username": "这是最后一个可用的管理员账号，不能停用"})
    if official.active != active:
        official.active = active
        if not active:
            sessions.end_all(session, official.id, "disabled")
        audit.record(session, actor, "official_enable" if active else "official_disable",
                     object_type="official", object_id=official.username)
    return official


def set_roles(session: Session, actor: Actor, username: str, roles) -> Official:
    official = _get_for_admin(session, actor, username)
    try:
        chosen = _check_roles(roles)
    except ValueError as exc:
        raise InputError({"roles": str(exc)}) from None
    if "admin" in official.roles and "admin" not in chosen:
        if official.id == actor.id:
            raise InputError({"roles": "不能取消自己的管理员角色"})
        if official.active and _active_admins(session) <= 1:
            raise InputError({"roles": "这是最后一个可用的管理员账号，不能取消其管理员角色"})
    before = sorted(official.roles)
    if before != chosen:
        official.role_links = [OfficialRole(role=r) for r in chosen]
        audit.record(session, actor, "official_set_roles", object_type="official",
                     object_id=official.username, detail={"before": before, "after": chosen})
    return official


def reset_password(session: Session, actor: Actor, username: str) -> str:
    """A new random password, shown once to the admin; the official must change it."""
    official = _get_for_admin(session, actor, username)
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
    official = session.get(Official, actor.id) if actor.id else None
    if official is None or not official.active:
        raise InputError({"current": "账号不存在或已停用"})
    if not verify_password(official.password_hash, current or ""):
        raise InputError({"current": "当前密码不正确"})
    problem = password_problem(new or "", official.username)
    if problem:
        raise InputError({"new": problem})
    if new != repeat:
        raise InputError({"repeat": "两次输入的新密码不一致"})
    if verify_password(official.password_hash, new):
        raise InputError({"new": "新密码不能与当前密码相同"})
    official.password_hash = hash_password(new)
    official.must_change_password = False
    sessions.end_all(session, official.id, "password", keep=keep_session)
    audit.record(session, actor, "official_change_password", object_type="official",
                 object_id=official.username)


def end_sessions(session: Session, actor: Actor, username: str) -> int:
    """An admin signs an account out on every device (audited with who did it)."""
    official = _get_for_admin(session, actor, username)
    ended = sessions.end_all(session, official.id, "admin")
    audit.record(session, actor, "official_end_sessions", object_type="official",
                 object_id=official.username, detail={"ended": ended})
    return ended


def reset_second_factor(session: Session, actor: Actor, username: str) -> None:
    """An admin clears an official's second factor (a lost phone, no recovery code left)."""
    second_factor.reset(session, actor, _get_for_admin(session, actor, username))


def list_officials(session: Session) -> list[Official]:
    return list(session.scalars(select(Official).order_by(Official.username)))
