"""Ratings of one business, and the figures for the home page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.ratings.models import Incident, Inspection, KitchenDisplay
from portal.ratings.rules import Rating, dynamic_grade, rate
from portal.registry.models import CATERING, Business, District
from portal.timeutil import months_since
from portal.validation import clean_query

CANTEENS_FOR_THE_YOUNG_AND_OLD = ("学校食堂", "养老机构食堂")


@dataclass(frozen=True)
class BusinessRating:
    rating: Rating
    history: list[tuple[date, float, str | None]]   # newest first: date, score, grade
    kitchen: KitchenDisplay | None


def business_rating(session: Session, business: Business, today: date) -> BusinessRating | None:
    """None for businesses the rating scheme does not cover (only 餐饮服务 is rated)."""
    return ratings_for(session, [business], today).get(business.id)


def kitchens_of(session: Session, ids: list[int]) -> dict[int, KitchenDisplay]:
    if not ids:
        return {}
    return {k.business_id: k for k in session.scalars(
        select(KitchenDisplay).where(KitchenDisplay.business_id.in_(ids)))}


def ratings_for(session: Session, businesses: list[Business], today: date,
                kitchens: dict[int, KitchenDisplay] | None = None) -> dict[int, BusinessRating]:
    """The ratings of the rated (餐饮服务) ones among `businesses`, in three queries whatever
    their number. kitchens: their 明厨亮灶 rows when the caller has them already."""
    rated = [b for b in businesses if b.is_catering]
    ids = [b.id for b in rated]
    if not ids:
        return {}
    inspections: dict[int, list[tuple[date, float]]] = {i: [] for i in ids}
    for business_id, day, score in session.execute(
            select(Inspection.business_id, Inspection.inspected_on, Inspection.score)
            .where(Inspection.business_id.in_(ids))
            .order_by(Inspection.inspected_on.desc())):
        inspections[business_id].append((day, score))
    incidents: dict[int, list[date]] = {i: [] for i in ids}
    for business_id, day in session.execute(select(Incident.business_id, Incident.occurred_on)
                                            .where(Incident.business_id.in_(ids))):
        incidents[business_id].append(day)
    if kitchens is None:
        kitchens = kitchens_of(session, ids)
    return {b.id: BusinessRating(rate(inspections[b.id], b.licence_date, incidents[b.id], today),
                                 [(d, s, dynamic_grade(s)) for d, s in inspections[b.id]],
                                 kitchens.get(b.id))
            for b in rated}


def canteen_stream_coverage(session: Session, jurisdiction: str) -> tuple[int, int, bool]:
    """(school and elderly-care canteens, of which with 互联网+明厨亮灶, any demo rows)."""
    total, streamed, demo = session.execute(
        select(func.count(Business.id),
               func.sum(case((KitchenDisplay.kind == "互联网+明厨亮灶", 1), else_=0)),
               func.sum(case((Business.is_demo.is_(True), 1), else_=0)))
        .join(District).outerjoin(KitchenDisplay, KitchenDisplay.business_id == Business.id)
        .where(District.jurisdiction_adcode == jurisdiction,
               Business.business_type.in_(CANTEENS_FOR_THE_YOUNG_AND_OLD))).one()
    return int(total or 0), int(streamed or 0), bool(demo)


@dataclass(frozen=True)
class MapFilter:
    kinds: tuple[str, ...] = ()          # business types; empty: all
    classes: tuple[str, ...] = ()        # map classes (优秀 … 非餐饮); empty: all
    district: str = ""
    kitchen: str = ""                    # a 明厨亮灶 kind
    name: str = ""


def map_points(session: Session, jurisdiction: str, today: date,
               flt: MapFilter) -> tuple[list[tuple], list[str]]:
    """Rows (lat, lng, class, kind index, id, months since the last inspection or -1) for
    portal.maps, and the list of kinds."""
    latest = (select(Inspection.business_id, func.max(Inspection.inspected_on).label("day"))
              .group_by(Inspection.business_id).subquery())
    query = (select(Business.id, Business.lat, Business.lng, Business.sector,
                    Business.business_type, Business.licence_date, latest.c.day, Inspection.score)
             .join(District)
             .outerjoin(latest, latest.c.business_id == Business.id)
             .outerjoin(Inspection, (Inspection.business_id == Business.id)
                        & (Inspection.inspected_on == latest.c.day))
             .where(District.jurisdiction_adcode == jurisdiction))
    if flt.kinds:
        query = query.where(Business.business_type.in_(flt.kinds))
    if flt.district:
        query = query.where(Business.district_adcode == flt.district)
    if name := clean_query(flt.name, 30):
        query = query.where(Business.name.contains(name, autoescape=True))
    if flt.kitchen:
        query = query.join(KitchenDisplay, KitchenDisplay.business_id == Business.id) \
            .where(KitchenDisplay.kind == flt.kitchen)
    incidents: dict[int, list[date]] = {}
    for business_id, day in session.execute(select(Incident.business_id, Incident.occurred_on)):
        incidents.setdefault(business_id, []).append(day)
    kinds: list[str] = []
    kind_index: dict[str, int] = {}
    rows, seen = [], set()
    for business_id, lat, lng, sector, kind, licence, day, score in session.execute(query):
        if business_id in seen:  # two inspections on the same latest day
            continue
        seen.add(business_id)
        if sector != CATERING:
            cls = "非餐饮"
        else:
            rating = rate([(day, score)] if day else [], licence, incidents.get(business_id, []),
                          today)
            cls = rating.dynamic or "暂不评级"
        if flt.classes and cls not in flt.classes:
            continue
        if kind not in kind_index:
            kind_index[kind] = len(kinds)
            kinds.append(kind)
        months = -1 if day is None else months_since(day, today)
        rows.append((lat, lng, cls, kind_index[kind], business_id, months))
    return rows, kinds


