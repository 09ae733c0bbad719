"""The audit log: append a row for every official action; search it."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import data_version
from portal.accounts.models import AuditEntry
from portal.accounts.rules import Actor
from portal.config import DATA_DIR
from portal.timeutil import local_midnight_utc, utcnow

# Readable labels for actions, objects, detail keys and coded values: data, not code.
LABELS = json.loads((DATA_DIR / "accounts" / "audit_labels.json").read_text(encoding="utf-8"))
ACTION_LABELS: dict[str, str] = LABELS["actions"]
# Audited actions that change nothing a visitor can see: they leave the data version alone
# (a stranger's failed sign-ins must not empty every page's cache). Any other action, new
# ones included, changes the version.
UNSEEN_BY_VISITORS = frozenset({
    "sign_in", "sign_in_failed", "sign_in_locked", "sign_out", "idle_sign_out", "session_end",
    "official_create", "official_disable", "official_enable", "official_reset_password",
    "official_change_password", "official_set_roles", "official_unlock", "official_end_sessions",
    "totp_enrol", "totp_enrol_failed", "totp_use", "totp_failed", "recovery_code_use", "totp_reset",
    "complaint_reveal_contact", "complaint_note", "complaint_priority", "complaint_templates_update",
    "round_flag_review"})


def record(session: Session, actor: Actor | None, action: str, *, object_type: str | None = None,
           object_id: str | int | None = None, detail: dict | None = None,
           actor_name: str | None = None, at: datetime | None = None) -> AuditEntry:
    entry = AuditEntry(
        at=at or utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor_name or (actor.username if actor else "anonymous"),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
    )
    session.add(entry)
    if action not in UNSEEN_BY_VISITORS:
        data_version.bump(session)
    return entry


def detail_of(entry: AuditEntry) -> dict:
    """An entry's detail as recorded (an empty dict when there is none)."""
    try:
        detail = json.loads(entry.detail) if entry.detail else {}
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


@dataclass(frozen=True)
class AuditFilter:
    actor_name: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    object_type: str | None = None
    object_id: str | None = None


def search(session: Session, filters: AuditFilter, limit: int = 200,
           offset: int = 0) -> tuple[int, list[AuditEntry]]:
    """Newest first; (total matching, one page). Dates are local (Asia/Shanghai) days."""
    query = select(AuditEntry)
    if filters.actor_name:
        query = query.where(AuditEntry.actor_name == filters.actor_name)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEntry.object_id == filters.object_id)
    if filters.date_from:
        query = query.where(AuditEntry.at >= local_midnight_utc(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < local_midnight_utc(filters.date_to + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(limit).offset(offset)).all()
    return total or 0, list(rows)


def actor_names(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.actor_name).distinct()
                                .order_by(AuditEntry.actor_name)))
