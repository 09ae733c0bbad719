"""Roles, the actor who runs an action, and the sign-in rules. Which role each action needs is
the table in portal.accounts.permissions. Numbers come from Settings (configurable)."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = {
    "admin": "系统管理员",
    "handler": "投诉举报处理",
    "publisher": "数据发布",
    "analyst": "统计分析",
    "tester": "快检室检测",
}


@dataclass(frozen=True)
class Actor:
    """Whoever performs an action: a signed-in official, or the command line."""
    id: int | None
    username: str
    display_name: str
    roles: frozenset[str]

    def may(self, role: str | None) -> bool:
        """Admins may do everything; others need the named role. None means any official."""
        return role is None or "admin" in self.roles or role in self.roles


def cli_actor(os_user: str) -> Actor:
    return Actor(None, f"cli:{os_user}", "命令行", frozenset({"admin"}))
