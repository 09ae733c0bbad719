"""Looking businesses up for citizens: by name, district and type; one business's record."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.registry.models import Business, District
from portal.registry.schemas import BusinessFilter

PAGE_SIZE = 20


def search(session: Session, jurisdiction: str, flt: BusinessFilter, page: int = 1, *,
           limit: int = PAGE_SIZE, offset: int | None = None) -> tuple[int, list[Business]]:
    query = select(Business).join(District).where(District.jurisdiction_adcode == jurisdiction)
    if flt.q:
        query = query.where(or_(Business.name.contains(flt.q, autoescape=True),
                                Business.address.contains(flt.q, autoescape=True)))
    if flt.district:
        query = query.where(Business.district_adcode == flt.district)
    if flt.type:
        query = query.where(Business.business_type == flt.type)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    start = max(0, page - 1) * limit if offset is None else offset
    rows = session.scalars(query.order_by(Business.name, Business.id).limit(limit)
                           .offset(start)).all()
    return total, list(rows)


def business_in(session: Session, jurisdiction: str, business_id: int | None) -> Business | None:
    """One business of this jurisdiction, or None (an id from a URL or a form may name any)."""
    if not business_id:
        return None
    return session.scalar(select(Business).join(District).where(
        Business.id == business_id, District.jurisdiction_adcode == jurisdiction))


def business_types(session: Session, jurisdiction: str) -> list[str]:
    return list(session.scalars(select(Business.business_type).join(District)
                                .where(District.jurisdiction_adcode == jurisdiction)
                                .distinct().order_by(Business.business_type)))
