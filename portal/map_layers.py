"""Data for the map's extra layers and its district view (queries only; no folium here)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.lists.models import BLACK, ListEntry
from portal.lists.queries import active_on
from portal.ratings.models import Inspection
from portal.ratings.rules import annual_grade
from portal.registry.models import Business, District
from portal.sampling.models import FAILED, SamplingBatch
from portal.i18n import N_

DISTRICT_FIGURES = {
    "a_share": N_("年度 A 级餐饮单位占比（%）"),
    "black": N_("黑榜在列单位（家）"),
    "failed": N_("近一年抽检不合格批次"),
}


def failed_units(session: Session, jurisdiction: str, today: date) -> list[tuple]:
    """(lat, lng, business id, failed batches in the last 12 months) per registered unit."""
    return session.execute(
        select(Business.lat, Business.lng, Business.id, func.count(SamplingBatch.id))
        .join(SamplingBatch, SamplingBatch.sampled_business_id == Business.id).join(District)
        .where(District.jurisdiction_adcode == jurisdiction, SamplingBatch.result == FAILED,
               SamplingBatch.announcement_date >= today - timedelta(days=365))
        .group_by(Business.id, Business.lat, Business.lng)).all()


def black_listed(session: Session, jurisdiction: str, today: date) -> list[tuple]:
    """(lat, lng, business id) of businesses now on the black list."""
    return session.execute(
        select(Business.lat, Business.lng, Business.id).join(ListEntry, ListEntry.business_id == Business.id)
        .join(District).where(District.jurisdiction_adcode == jurisdiction,
                              ListEntry.kind == BLACK, active_on(today)).distinct()).all()


def district_values(session: Session, jurisdiction: str, figure: str, today: date) -> dict[str, float]:
    districts = [d for d, in session.execute(select(District.adcode).where(
        District.jurisdiction_adcode == jurisdiction))]
    values = {d: 0.0 for d in districts}
    if figure == "black":
        for adcode, n in session.execute(
                select(Business.district_adcode, func.count(func.distinct(Business.id)))
                .join(ListEntry, ListEntry.business_id == Business.id)
                .where(ListEntry.kind == BLACK, active_on(today),
                       Business.district_adcode.in_(districts)).group_by(Business.district_adcode)):
            values[adcode] = float(n)
    elif figure == "failed":
        for adcode, n in session.execute(
                select(SamplingBatch.district_adcode, func.count())
                .where(SamplingBatch.result == FAILED, SamplingBatch.in_jurisdiction.is_(True),
                       SamplingBatch.announcement_date >= today - timedelta(days=365),
                       SamplingBatch.district_adcode.in_(districts))
                .group_by(SamplingBatch.district_adcode)):
            values[adcode] = float(n)
    else:  # share of rated catering businesses whose annual grade is A
        scores: dict[int, list[float]] = {}
        owner: dict[int, str] = {}
        for business_id, adcode, score in session.execute(
                select(Business.id, Business.district_adcode, Inspection.score)
                .join(Inspection, Inspection.business_id == Business.id)
                .where(Business.district_adcode.in_(districts),
                       Inspection.inspected_on > today - timedelta(days=365))):
            scores.setdefault(business_id, []).append(score)
            owner[business_id] = adcode
        rated: dict[str, list[int]] = {d: [0, 0] for d in districts}
        for business_id, marks in scores.items():
            tally = rated[owner[business_id]]
            tally[0] += 1
            tally[1] += annual_grade(marks) == "A"
        values = {d: round(100 * a / n, 1) if n else 0.0 for d, (n, a) in rated.items()}
    return values
