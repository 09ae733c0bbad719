"""Registry writes by officials (role publisher): correcting one business's entry, and the
checks that every single-entry edit shares (the role, the business it names).
Each validates, checks the role and writes an audit row."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.registry.matching import PlaceMatcher
from portal.registry.models import Business
from portal.registry.records import business_record
from portal.timeutil import utcnow
from portal.validation import InputError, Message


def business_or_error(session: Session, business_id: int) -> Business:
    business = session.get(Business, business_id)
    if business is None:
        raise InputError({"business": Message("找不到这家单位")})
    return business


def update_business(session: Session, actor: Actor, business_id: int, values: dict,
                    profile) -> Business:
    """Correct one registry entry, with the importer's own checks (codes, type, district,
    coordinates inside the district or its centre, marked approximate)."""
    authorize(actor, "business_update")
    business = business_or_error(session, business_id)
    shapes = {s.adcode: s for s in profile.shapes()}
    record, column, problem = business_record(
        {k: (str(v).strip() if v not in (None, "") else None) for k, v in values.items()},
        {"licence_date": values.get("licence_date")}, profile, PlaceMatcher(profile).match, shapes)
    if record is None:
        raise InputError({column: Message(problem)})
    before = {k: str(getattr(business, k)) for k in record}
    for key, value in record.items():
        setattr(business, key, value)
    business.updated_at = utcnow()
    audit.record(session, actor, "business_update", object_type="business", object_id=business.id,
                 detail={"changed": sorted(k for k in record if before[k] != str(record[k]))})
    return business
