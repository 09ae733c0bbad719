"""Ratings of one business, and the figures for the home page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.ratings.models import Incident, Inspection, KitchenDisplay
from portal.ratings.rules import Rating, dynamic_grade, rate
from portal.registry.models import Business, District

CANTEENS_FOR_THE_YOUNG_AND_OLD = ("学校食堂", "养老机构食堂")


@dataclass(frozen=True)
class BusinessRating:
    rating: Rating
    history: list[tuple[date, float, str | None]]   # newest first: date, score, grade
    kitchen: KitchenDisplay | None


def business_rating(session: Session, business: Business, today: date) -> BusinessRating | None:
    """None for businesses the rating scheme does not cover (only 餐饮服务 is rated)."""
    if business.sector != "餐饮服务":
        return None
    inspections = session.execute(
        select(Inspection.inspected_on, Inspection.score)
        .where(Inspection.business_id == business.id)
        .order_by(Inspection.inspected_on.desc())).all()
    incidents = list(session.scalars(select(Incident.occurred_on)
                                     .where(Incident.business_id == business.id)))
    rating = rate([(d, s) for d, s in inspections], business.licence_date, incidents, today)
    history = [(d, s, dynamic_grade(s)) for d, s in inspections]
    return BusinessRating(rating, history, session.get(KitchenDisplay, business.id))


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
