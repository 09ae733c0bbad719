"""Searching and counting sampling results. Paged and aggregated in SQL."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import (Select, Text, and_, bindparam, case, func, literal_column, or_,
                        select, table, text)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, selectinload

from portal.registry.models import District
from portal.sampling.models import (DISPOSAL_STATUSES, DISPOSED, FAILED, Disposal, FailedItem,
                                    SamplingBatch)
from portal.sampling.food_names import search_terms
from portal.sampling.schemas import SamplingFilter
from portal.sampling.search_index import fts_match_any, query_pairs

PAGE_SIZE = 20
SORTS = {   # the keys are schemas.SORT_KEYS, which the filter accepts
    "date_desc": ("公告日期（新→旧）", (SamplingBatch.announcement_date.desc(), SamplingBatch.id.desc())),
    "date_asc": ("公告日期（旧→新）", (SamplingBatch.announcement_date.asc(), SamplingBatch.id.asc())),
    "food": ("食品名称", (SamplingBatch.food_name.asc(), SamplingBatch.id.asc())),
}
SCAN_IN_ORDER_FROM = 2_000  # keyword hits above which the first page walks the date index


def _where(query: Select, flt: SamplingFilter, dialect: str,
           scan_in_order: bool = False) -> Select:
    conditions = []
    if flt.scope == "local":
        conditions.append(SamplingBatch.in_jurisdiction.is_(True))
    if flt.category:
        conditions.append(SamplingBatch.category == flt.category)
    if flt.district:
        conditions.append(SamplingBatch.district_adcode == flt.district)
    if flt.result:
        conditions.append(SamplingBatch.result == flt.stored_result)
    if flt.announcement_no:
        conditions.append(SamplingBatch.announcement_no.contains(flt.announcement_no,
                                                                 autoescape=True))
    if flt.date_from:
        conditions.append(SamplingBatch.announcement_date >= flt.date_from)
    if flt.date_to:
        conditions.append(SamplingBatch.announcement_date <= flt.date_to)
    if flt.q:
        conditions.extend(_keyword(flt.q, dialect, scan_in_order))
    return query.where(and_(*conditions)) if conditions else query


def _keyword(keyword: str, dialect: str, scan_in_order: bool = False) -> list:
    """Index lookup on character pairs, then LIKE on the candidates (see search_index).

    An English food name also looks for its Chinese terms (food_names): any term matches.
    A term that is one pair (猪肉) is found exactly by the index; only longer terms need LIKE,
    and only on their own candidates. Case does not matter (the pairs are lower case; ILIKE on
    PostgreSQL, as SQLite's LIKE).
    scan_in_order (SQLite): test `id + 0 IN (…)` so that the planner walks the date index in
    the page's order and stops after one page, instead of fetching every candidate by id and
    sorting them; worth it when candidates are many."""
    terms = search_terms(keyword)
    needed = [query_pairs(term) for term in terms]

    def like(some: list[str]):
        return or_(*[SamplingBatch.search_text.icontains(term, autoescape=True) for term in some])

    if not all(needed):
        return [like(terms)]   # a term of one character: no pair to look up
    exact = [pairs_ for term, pairs_ in zip(terms, needed) if pairs_ == [term.lower()]]
    longer = [(term, pairs_) for term, pairs_ in zip(terms, needed) if pairs_ != [term.lower()]]
    found = []
    if exact:
        found.append(_candidates(exact, dialect, scan_in_order))
    if longer:
        found.append(and_(_candidates([p for _, p in longer], dialect, scan_in_order),
                          like([term for term, _ in longer])))
    return [or_(*found) if len(found) > 1 else found[0]]


def _candidates(terms_pairs: list[list[str]], dialect: str, scan_in_order: bool):
    """Rows whose names hold every pair of at least one term, through the pair index."""
    if dialect == "sqlite":
        column = (SamplingBatch.id + 0) if scan_in_order else SamplingBatch.id
        return column.in_(
            select(literal_column("rowid")).select_from(table("sampling_fts"))
            .where(text("sampling_fts MATCH :pairs")
                   .bindparams(bindparam("pairs", fts_match_any(terms_pairs), unique=True))))
    # The expression matches the GIN index (migration 0003) to the letter, so it is used.
    bigrams = func.string_to_array(SamplingBatch.search_bigrams, literal_column("' '"),
                                   type_=postgresql.ARRAY(Text))
    return or_(*[bigrams.op("@>")(bindparam("pairs", pairs_, type_=postgresql.ARRAY(Text), unique=True))
                 for pairs_ in terms_pairs])


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def search(session: Session, flt: SamplingFilter, page: int = 1,
           page_size: int = PAGE_SIZE, *, offset: int | None = None,
           with_details: bool = False) -> tuple[int, list[SamplingBatch]]:
    """One page of matches and their count. offset overrides page; with_details loads the
    failed items and 核查处置 of the page in two more queries (the API prints them all)."""
    dialect = _dialect(session)
    total = session.scalar(_where(select(func.count(SamplingBatch.id)), flt, dialect)) or 0
    order = SORTS.get(flt.sort, SORTS["date_desc"])[1]
    # Many keyword hits: one page is found sooner by walking the sort order (see _keyword).
    in_order = bool(flt.q) and flt.sort != "food" and total > SCAN_IN_ORDER_FROM
    query = _where(select(SamplingBatch), flt, dialect, in_order).order_by(*order).limit(page_size)
    if with_details:
        query = query.options(selectinload(SamplingBatch.failed_items),
                              selectinload(SamplingBatch.disposal))
    start = max(0, page - 1) * page_size if offset is None else offset
    rows = session.scalars(query.offset(start)).all()
    return total, list(rows)


def get_batch(session: Session, batch_id: int) -> SamplingBatch | None:
    return session.get(SamplingBatch, batch_id, options=[
        selectinload(SamplingBatch.sampled_business), selectinload(SamplingBatch.producer_business)])


def categories(session: Session) -> list[str]:
    return list(session.scalars(select(SamplingBatch.category).distinct()
                                .order_by(SamplingBatch.category)))


def export_rows(session: Session, flt: SamplingFilter, limit: int = 50_000) -> list[dict]:
    """The current selection with the fixed open-data column spec (see EXPORT_COLUMNS)."""
    from portal.sampling.spec import export_record

    order = SORTS.get(flt.sort, SORTS["date_desc"])[1]
    batches = session.scalars(_where(select(SamplingBatch), flt, _dialect(session))
                              .order_by(*order).limit(limit))
    names = dict(session.execute(select(District.adcode, District.name)).all())
    return [export_record(b, names) for b in batches]


def data_date(session: Session) -> date | None:
    latest = session.scalar(select(func.max(SamplingBatch.updated_at)))
    return latest.date() if latest else None


# --- statistics -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RateRow:
    label: str
    batches: int
    failed: int

    @property
    def pass_rate(self) -> float | None:
        return None if not self.batches else round(100 * (self.batches - self.failed) / self.batches, 2)


def _rates(session: Session, column, flt: SamplingFilter) -> list[RateRow]:
    failed = func.sum(case((SamplingBatch.result == FAILED, 1), else_=0))
    query = _where(select(column, func.count(SamplingBatch.id), failed), flt,
                   _dialect(session)).group_by(column)
    return [RateRow(str(label) if label is not None else "未知", n, int(f or 0))
            for label, n, f in session.execute(query.order_by(column))]


def rates_by_category(session: Session, flt: SamplingFilter) -> list[RateRow]:
    return sorted(_rates(session, SamplingBatch.category, flt), key=lambda r: -r.batches)


def rates_by_district(session: Session, flt: SamplingFilter) -> list[RateRow]:
    names = dict(session.execute(select(District.adcode, District.name)).all())
    rows = _rates(session, SamplingBatch.district_adcode, flt)
    return [replace(r, label=names.get(r.label, "区县未知")) for r in rows]


def rates_by_month(session: Session, flt: SamplingFilter) -> list[RateRow]:
    if session.get_bind().dialect.name == "sqlite":
        month = func.strftime("%Y-%m", SamplingBatch.announcement_date)
    else:
        month = func.to_char(SamplingBatch.announcement_date, "YYYY-MM")
    return _rates(session, month, flt)


def top_failed_items(session: Session, flt: SamplingFilter, limit: int = 15) -> list[tuple[str, int]]:
    query = _where(select(FailedItem.item, func.count(FailedItem.id))
                   .join(SamplingBatch, SamplingBatch.id == FailedItem.batch_id), flt,
                   _dialect(session))
    return [(item, n) for item, n in session.execute(
        query.group_by(FailedItem.item).order_by(func.count(FailedItem.id).desc()).limit(limit))]


@dataclass(frozen=True)
class YearFigure:
    year: int
    batches: int
    population: int

    @property
    def per_thousand(self) -> float:
        return round(self.batches / self.population * 1000, 2) if self.population else 0.0


def batches_per_thousand(session: Session, population: int, year: int) -> YearFigure:
    """Only batches sampled within the jurisdiction count (national announcements list units
    from everywhere)."""
    count = session.scalar(select(func.count(SamplingBatch.id)).where(
        SamplingBatch.in_jurisdiction.is_(True),
        SamplingBatch.announcement_date >= date(year, 1, 1),
        SamplingBatch.announcement_date <= date(year, 12, 31))) or 0
    return YearFigure(year, count, population)


def duty_disposals(*columns):
    """SELECT columns over the 核查处置 records this bureau must complete (failed batches
    sampled here): every deadline and overdue figure starts from this, never from all
    Disposal rows."""
    return select(*columns).select_from(Disposal).join(
        SamplingBatch, SamplingBatch.id == Disposal.batch_id).where(SamplingBatch.disposal_duty)


def disposal_summary(session: Session, today: date) -> dict[str, int]:
    rows = dict(session.execute(duty_disposals(Disposal.status, func.count())
                                .group_by(Disposal.status)).all())
    overdue = session.scalar(duty_disposals(func.count()).where(
        Disposal.status != DISPOSED, Disposal.due_on < today)) or 0
    return {**{code: rows.get(code, 0) for code in DISPOSAL_STATUSES}, "overdue": overdue}


@dataclass(frozen=True)
class SamplingRecord:
    batches: int
    failed: int
    recent: list[SamplingBatch]


def sampling_record(session: Session, business_id: int, limit: int = 20) -> SamplingRecord:
    """Batches sampled at the business or produced by it, newest first."""
    at_business = or_(SamplingBatch.sampled_business_id == business_id,
                      SamplingBatch.producer_business_id == business_id)
    total, failed = session.execute(
        select(func.count(SamplingBatch.id),
               func.coalesce(func.sum(case((SamplingBatch.result == FAILED, 1), else_=0)), 0))
        .where(at_business)).one()
    recent = session.scalars(select(SamplingBatch).where(at_business)
                             .order_by(SamplingBatch.announcement_date.desc(), SamplingBatch.id.desc())
                             .limit(limit)).all()
    return SamplingRecord(int(total), int(failed), list(recent))


def failed_since(session: Session, business_id: int, since: date, limit: int = 50) -> list[SamplingBatch]:
    """Failed batches sampled at the business or produced by it, announced on or after
    `since`, newest first (the door page lists a year of them)."""
    return list(session.scalars(
        select(SamplingBatch)
        .where(or_(SamplingBatch.sampled_business_id == business_id,
                   SamplingBatch.producer_business_id == business_id),
               SamplingBatch.result == FAILED, SamplingBatch.announcement_date >= since)
        .order_by(SamplingBatch.announcement_date.desc(), SamplingBatch.id.desc()).limit(limit)))
