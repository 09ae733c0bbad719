"""Rows for the officials' tables (Chinese column names, local dates)."""
from __future__ import annotations

import json

from portal.accounts.audit import ACTION_LABELS, LABELS
from portal.accounts.models import AuditEntry, Official
from portal.accounts.rules import ROLES
from portal.timeutil import cn_datetime

OBJECT_LABELS: dict[str, str] = LABELS["objects"]
DETAIL_LABELS: dict[str, str] = LABELS["fields"]
VALUE_LABELS: dict[str, dict[str, str]] = LABELS["values"]


def official_rows(officials: list[Official]) -> list[dict]:
    return [{
        "用户名": o.username,
        "姓名": o.display_name,
        "角色": "、".join(ROLES.get(r, r) for r in sorted(o.roles)),
        "工作邮箱": o.email or "",
        "状态": ("可用" if o.active else "已停用") + ("（待改密码）" if o.must_change_password else ""),
        "最近登录": cn_datetime(o.last_sign_in_at),
        "创建时间": cn_datetime(o.created_at),
        "演示账号": "是" if o.is_demo else "",
    } for o in officials]


def identity_rows(links) -> list[dict]:
    """Linked identities: (OfficialIdentity, username) pairs from identities.linked."""
    return [{"账号": username, "身份提供方": link.issuer, "用户标识": link.subject,
             "关联人": link.linked_by, "关联时间": cn_datetime(link.linked_at),
             "最近登录": cn_datetime(link.last_sign_in_at)} for link, username in links]


def refused_identity_rows(refused: list[dict]) -> list[dict]:
    """Identities refused for want of a link (identities.recent_unlinked)."""
    return [{"时间": cn_datetime(r["at"]), "统一身份认证账号": r["name"], "身份提供方": r["issuer"],
             "用户标识": r["subject"]} for r in refused]


def audit_rows(entries: list[AuditEntry]) -> list[dict]:
    return [{
        "时间": cn_datetime(e.at),
        "操作人": e.actor_name,
        "操作": ACTION_LABELS.get(e.action, e.action),
        "对象": f"{OBJECT_LABELS.get(e.object_type, e.object_type or '')} {e.object_id or ''}".strip(),
        "详情": _detail(e.detail),
    } for e in entries]


def _detail(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(data, dict):
        return raw
    return "；".join(f"{DETAIL_LABELS.get(k, k)}：{_value(v, k)}" for k, v in data.items())


def _value(value, key: str | None = None) -> str:
    if isinstance(value, dict):
        return "，".join(f"{DETAIL_LABELS.get(k, k)} {_value(v, k)}" for k, v in value.items())
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and value in VALUE_LABELS.get(key or "", {}):
        return VALUE_LABELS[key][value]
    if isinstance(value, list):
        return "、".join(ROLES.get(v, str(v)) for v in value) or "—"
    return str(value)
