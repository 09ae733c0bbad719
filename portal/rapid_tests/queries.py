"""Reads for the 快检公示 page, the business page, the home page and the API.

Built for the scale target (five years of a city's markets, 415,000 results): a market's day
reads ix_rapid_tests_market_day; a food search first finds the matching sample names in
ix_rapid_tests_sample (a few hundred distinct names), then their rows by equality."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from portal.rapid_tests.models import POSITIVE, RapidMarket, RapidTest
from portal.rapid_tests.schemas import RapidFilter
from portal.validation import clean_query

MAX_NAMES = 200   # sample names or markets a keyword may match (more: the keyword is too short)


@dataclass(frozen=True)
class MarketDay:
    market_id: int
    name: str
    tests: int
    positives: int
    demo: bool


@dataclass(frozen=True)
class Month:
    month: str       # 2026-11
    tests: int
    positives: int

    @property
    def pass_rate(self) -> float:
        return round(100 * (self.tests - self.positives) / self.tests, 1) if self.tests else 0.0


def latest_day(session: Session, on_or_before: date | None = None) -> date | None:
    query = select(func.max(RapidTest.tested_on))
    if on_or_before:
        query = query.where(RapidTest.tested_on <= on_or_before)
    return session.scalar(query)


def markets(session: Session) -> list[RapidMarket]:
    return list(session.scalars(select(RapidMarket).order_by(RapidMarket.name)))


def get_market(session: Session, market_id: int) -> RapidMarket | None:
    return session.get(RapidMarket, market_id)


def day_summary(session: Session, day: date) -> list[MarketDay]:
    """Each market's tests and positives on one day; markets with positives first."""
    positives = func.sum(case((RapidTest.result == POSITIVE, 1), else_=0))
    rows = session.execute(
        select(RapidTest.market_id, RapidMarket.name, func.count(), positives,
               func.max(case((RapidTest.is_demo.is_(True), 1), else_=0)))
        .join(RapidMarket, RapidMarket.id == RapidTest.market_id)
        .where(RapidTest.tested_on == day)
        .group_by(RapidTest.market_id, RapidMarket.name)).all()
    days = [MarketDay(m, n, int(t), int(p or 0), bool(d)) for m, n, t, p, d in rows]
    return sorted(days, key=lambda d: (-d.positives, d.name))


def market_days(session: Session, market_id: int, limit: int = 60) -> list[date]:
    """The market's latest days with results, newest first (from its index)."""
    days = session.scalars(select(RapidTest.tested_on).where(RapidTest.market_id == market_id)
                           .distinct().order_by(RapidTest.tested_on.desc()).limit(limit))
    return [d if isinstance(d, date) else date.fromisoformat(str(d)) for d in days]


def market_day(session: Session, market_id: int, day: date) -> list[RapidTest]:
    """One market's results of one day, positives first."""
    return list(session.scalars(
        select(RapidTest).where(RapidTest.market_id == market_id, RapidTest.tested_on == day)
        .order_by(RapidTest.result.desc(), RapidTest.stall, RapidTest.id)))


def market_history(session: Session, market_id: int, since: date | None = None) -> list[Month]:
    """Tests and positives by month (newest first), read from the market's index alone."""
    query = (select(RapidTest.tested_on, RapidTest.result, func.count())
             .where(RapidTest.market_id == market_id)
             .group_by(RapidTest.tested_on, RapidTest.result))
    if since:
        query = query.where(RapidTest.tested_on >= since)
    months: dict[str, list[int]] = {}
    for day, result, count in session.execute(query):
        key = (day if isinstance(day, date) else date.fromisoformat(str(day))).strftime("%Y-%m")
        entry = months.setdefault(key, [0, 0])
        entry[0] += count
        if result == POSITIVE:
            entry[1] += count
    return [Month(k, t, p) for k, (t, p) in sorted(months.items(), reverse=True)]


def sample_names(session: Session) -> list[str]:
    """Every distinct sample name, by skipping through ix_rapid_tests_sample: one index seek
    per name (a few hundred), instead of reading all 415,000 entries as DISTINCT would."""
    t = RapidTest.__table__
    first = select(func.min(t.c.sample).label("name")).cte("names", recursive=True)
    following = select(select(func.min(t.c.sample)).where(t.c.sample > first.c.name)
                       .scalar_subquery()).where(first.c.name.is_not(None))
    names = first.union_all(following)
    return [n for n in session.scalars(select(names.c.name)) if n is not None]


def _matching(session: Session, q: str) -> tuple[list[str], list[int]]:
    """Sample names and market ids containing the keyword."""
    names = [n for n in sample_names(session) if q in n][:MAX_NAMES]
    market_ids = list(session.scalars(select(RapidMarket.id)
                                      .where(RapidMarket.name.contains(q, autoescape=True))
                                      .limit(MAX_NAMES)))
    return names, market_ids


def _conditions(session: Session, flt: RapidFilter) -> list | None:
    """WHERE conditions of a search; None when nothing can match."""
    where = []
    q = clean_query(flt.q)
    if q:
        names, market_ids = _matching(session, q)
        if not names and not market_ids:
            return None
        where.append(or_(*([RapidTest.sample.in_(names)] if names else []),
                         *([RapidTest.market_id.in_(market_ids)] if market_ids else [])))
    if flt.market:
        where.append(RapidTest.market_id == flt.market)
    if flt.result:
        where.append(RapidTest.result == flt.result)
    if flt.date_from:
        where.append(RapidTest.tested_on >= flt.date_from)
    if flt.date_to:
        where.append(RapidTest.tested_on <= flt.date_to)
    return where


def search(session: Session, flt: RapidFilter, *, limit: int = 50, offset: int = 0,
           count: bool = True) -> tuple[int, list[RapidTest]]:
    """(total, one page): positives first, then newest day first."""
    where = _conditions(session, flt)
    if where is None:
        return 0, []
    query = select(RapidTest).where(*where)
    total = session.scalar(select(func.count()).select_from(RapidTest).where(*where)) if count else -1
    rows = session.scalars(query.order_by(RapidTest.result.desc(), RapidTest.tested_on.desc(),
                                          RapidTest.id.desc()).limit(limit).offset(offset))
    return total or 0, list(rows)


def business_results(session: Session, business_id: int, limit: int = 100) -> list[RapidTest]:
    """A registered business's stall results (linked by the importer), positives first."""
    stall = RapidTest.business_id == business_id
    market = RapidTest.market_id.in_(select(RapidMarket.id).where(RapidMarket.business_id == business_id))
    return list(session.scalars(select(RapidTest).where(or_(stall, market))
                                .order_by(RapidTest.tested_on.desc(), RapidTest.result.desc(),
                                          RapidTest.id.desc()).limit(limit)))


def year_figures(session: Session, year: int) -> tuple[int, int, bool]:
    """(tests, positives, demo) in a calendar year."""
    row = session.execute(
        select(func.count(), func.sum(case((RapidTest.result == POSITIVE, 1), else_=0)),
               func.max(case((RapidTest.is_demo.is_(True), 1), else_=0)))
        .where(RapidTest.tested_on >= date(year, 1, 1), RapidTest.tested_on <= date(year, 12, 31))).one()
    return int(row[0] or 0), int(row[1] or 0), bool(row[2])


def any_demo(session: Session) -> bool:
    return session.scalar(select(RapidTest.id).where(RapidTest.is_demo.is_(True)).limit(1)) is not None


def modified(session: Session):
    return session.scalar(select(func.max(RapidTest.updated_at)))
