"""The public lists, one business's list history, and the home page figure."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from portal.lists.models import BLACK, ListEntry
from portal.registry.models import Business, District
from portal.validation import clean_query


def active_on(today: date):
    """SQL form of lists.rules.is_active: not removed and the end date not reached."""
    return and_(ListEntry.removed_on.is_(None),
                or_(ListEntry.ends_on.is_(None), ListEntry.ends_on > today))


def _in_jurisdiction(jurisdiction: str):
    # Entries matched to the registry belong to its districts; unmatched ones are kept too
    # (a list published by this bureau may name a business not yet in the registry).
    return or_(ListEntry.business_id.is_(None),
               ListEntry.business_id.in_(select(Business.id).join(District).where(
                   District.jurisdiction_adcode == jurisdiction)))


def active_query(jurisdiction: str, today: date, kind: str = "", q: str = ""):
    """Entries in force (one list, or both when kind is empty) matching a keyword in the
    name, credit code or reason; newest first."""
    query = select(ListEntry).where(active_on(today), _in_jurisdiction(jurisdiction))
    if kind:
        query = query.where(ListEntry.kind == kind)
    q = clean_query(q)
    if q:
        query = query.where(or_(ListEntry.business_name.contains(q, autoescape=True),
                                ListEntry.credit_code.contains(q.upper(), autoescape=True),
                                ListEntry.reason.contains(q, autoescape=True)))
    return query.order_by(ListEntry.listed_on.desc(), ListEntry.id.desc())


def active_entries(session: Session, kind: str, jurisdiction: str, today: date,
                   q: str = "", limit: int = 500) -> list[ListEntry]:
    return list(session.scalars(active_query(jurisdiction, today, kind, q).limit(limit)))


def business_history(session: Session, business_id: int) -> list[ListEntry]:
    return list(session.scalars(select(ListEntry).where(ListEntry.business_id == business_id)
                                .order_by(ListEntry.listed_on.desc())))


def active_counts(session: Session, jurisdiction: str, today: date) -> dict[str, int]:
    rows = session.execute(select(ListEntry.kind, func.count()).where(
        active_on(today), _in_jurisdiction(jurisdiction)).group_by(ListEntry.kind)).all()
    counts = dict(rows)
    return {"black": counts.get(BLACK, 0), "red": counts.get("red", 0)}


def any_demo(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(ListEntry)
                               .where(ListEntry.is_demo.is_(True)).limit(1)))


def recent_entries(session: Session, jurisdiction: str, limit: int = 50) -> list[ListEntry]:
    """Entries of both lists, removed ones included, last changed first (the lists' feed)."""
    return list(session.scalars(select(ListEntry).where(_in_jurisdiction(jurisdiction))
                                .order_by(ListEntry.updated_at.desc(), ListEntry.id.desc())
                                .limit(limit)))
