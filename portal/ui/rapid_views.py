"""Drawing 快检 results (pages/rapid_tests.py, the business page) and their cached reads.

Rows leave the database as plain RapidRow values (cacheable, no lazy loads). Every text
from an imported sheet goes through md() where it is markdown; tables show it as data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from portal import i18n
from portal.i18n import field, t
from portal.i18n import day as show_day
from portal.rapid_tests import queries
from portal.rapid_tests.models import (CASE_LABELS, CASE_NONE, POSITIVE, RESULT_LABELS,
                                       REVIEW_LABELS, REVIEW_PENDING, RapidTest)
from portal.rapid_tests.rules import SCREENING_NOTICE, public_trader
from portal.rapid_tests.schemas import RapidFilter
from portal.ui import cached
from portal.ui.layout import PageContext, get_portal
from portal.ui.widgets import md, table_on_demand
from portal.ui.page_links import page_link

PAGE_SIZE = 50


@dataclass(frozen=True)
class RapidRow:
    id: int
    tested_on: date
    market_id: int
    market: str
    stall: str | None
    trader: str | None       # as shown: a person's name as 张某
    sample: str
    item: str
    method: str | None
    result: str
    value: str | None
    demo: bool
    review: str | None = None
    reviewed_on: date | None = None
    measures: str | None = None
    measures_on: date | None = None
    case_status: str | None = None
    case_filed_on: date | None = None
    case_closed_on: date | None = None
    note: str | None = None


def row_of(test: RapidTest) -> RapidRow:
    f = test.follow_up
    return RapidRow(test.id, test.tested_on, test.market_id, test.market.name, test.stall,
                    public_trader(test.trader), test.sample, test.item, test.method, test.result,
                    test.value, bool(test.is_demo),
                    *((f.review, f.reviewed_on, f.measures, f.measures_on, f.case_status,
                       f.case_filed_on, f.case_closed_on, f.public_note) if f else ()))


@st.cache_data(ttl=cached.TTL, show_spinner=False)
def _overview(url: str, version: str, today: date):
    with get_portal().db.read() as session:
        latest = queries.latest_day(session, today)
        if latest is None:
            return None, [], [], False
        summary = queries.day_summary(session, latest)
        _, positives = queries.search(session, RapidFilter(result=POSITIVE, date_from=latest,
                                                           date_to=latest), limit=200, count=False)
        return latest, summary, [row_of(t) for t in positives], queries.any_demo(session)


def overview(ctx: PageContext, today: date):
    return _overview(ctx.db.url, cached.version(ctx), today)


@st.cache_data(ttl=cached.TTL, show_spinner=False, max_entries=500)
def _market(url: str, version: str, market_id: int, on: date | None, today: date):
    with get_portal().db.read() as session:
        market = queries.get_market(session, market_id)
        if market is None:
            return None
        days = queries.market_days(session, market_id, 60)
        chosen = on if on in days else (days[0] if days else None)
        rows = [row_of(t) for t in queries.market_day(session, market_id, chosen)] if chosen else []
        history = queries.market_history(session, market_id)
        return market.name, market.business_id, bool(market.is_demo), days, chosen, rows, history


def market(ctx: PageContext, market_id: int, on: date | None, today: date):
    return _market(ctx.db.url, cached.version(ctx), market_id, on, today)


# Bounded: a visitor can vary the keyword and the page without end.
@st.cache_data(ttl=cached.TTL, show_spinner=False, max_entries=500)
def _search(url: str, version: str, flt: RapidFilter, page: int):
    with get_portal().db.read() as session:
        total, found = queries.search(session, flt, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
        return total, [row_of(t) for t in found]


def search(ctx: PageContext, flt: RapidFilter, page: int):
    return _search(ctx.db.url, cached.version(ctx), flt, page)


def notice() -> None:
    """Said plainly on every view of the results."""
    st.info(t(SCREENING_NOTICE), icon=":material/info:")


def follow_up_text(row: RapidRow) -> str:
    """复核 → 下架/销毁 → 立案, each with its date: plain text (md() it for markdown)."""
    review = field("复核") + t(REVIEW_LABELS[row.review or REVIEW_PENDING])
    if row.reviewed_on:
        review += t("（{day}）", day=show_day(row.reviewed_on))
    if row.measures:
        measures = field("处置") + row.measures + (t("（{day}）", day=show_day(row.measures_on))
                                                   if row.measures_on else "")
    else:
        measures = field("处置") + t("待登记")
    case = field("立案") + t(CASE_LABELS[row.case_status or CASE_NONE])
    if row.case_filed_on and row.case_closed_on:
        case += t("（立案 {filed}，结案 {closed}）", filed=show_day(row.case_filed_on),
                  closed=show_day(row.case_closed_on))
    elif row.case_filed_on:
        case += t("（立案 {filed}）", filed=show_day(row.case_filed_on))
    return ("; " if i18n.english() else "；").join((review, measures, case))


def positive_card(row: RapidRow, *, market_link: bool = True, search: dict[str, str] | None = None) -> None:
    """A positive screening result with its follow-up. search: the search it was found by,
    carried by the market's link so that 返回快检公示 comes back to it."""
    with st.container(border=True):
        where = md(row.market)
        if row.stall:
            where += " " + t("{stall} 号摊位", stall=md(row.stall))
        if row.trader:
            where += t("（{trader}）", trader=md(row.trader))
        st.markdown(f":red-badge[{t('初筛阳性')}] **{md(row.sample)}** · {md(row.item)}")
        value = t("，检测值 {value}", value=md(row.value)) if row.value else ""
        method = md(row.method) if row.method else t("快速检测")
        st.markdown(f"{show_day(row.tested_on)} · {where} · {method}{value}")
        st.markdown(md(follow_up_text(row)))
        if row.note:
            st.caption(md(row.note))
        if market_link:
            page_link("pages/rapid_tests.py", label=t("{market}的快检记录", market=md(row.market)),
                      icon=":material/chevron_right:", query_params={**(search or {}), "market": str(row.market_id)})


def table_frame(rows: list[RapidRow], *, with_market: bool = True) -> pd.DataFrame:
    # Sample and result first: on a phone the columns after them scroll sideways.
    return pd.DataFrame([{
        t("样品"): r.sample, t("结果"): t(RESULT_LABELS[r.result]), t("检测日期"): r.tested_on,
        **({t("市场"): r.market} if with_market else {}),
        t("摊位"): r.stall or "", t("经营户"): r.trader or "", t("检测项目"): r.item,
        t("检测值"): r.value or "",
        t("后续处置"): follow_up_text(r) if r.result == POSITIVE else ""} for r in rows])


def table(rows: list[RapidRow], *, with_market: bool = True) -> None:
    """Results as a table (cells are data, never markdown)."""
    st.dataframe(table_frame(rows, with_market=with_market), hide_index=True, width="stretch")


def history_chart(history: list[queries.Month]) -> None:
    month, tests, positives, rate = t("月份"), t("检测批次"), t("初筛阳性"), t("合格率（%）")
    frame = pd.DataFrame([{month: m.month, tests: m.tests, positives: m.positives,
                           rate: m.pass_rate} for m in reversed(history)])
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X(f"{month}:N", sort=None), y=alt.Y(f"{rate}:Q", scale=alt.Scale(zero=False)),
        tooltip=[month, tests, positives, rate]).properties(height=240)
    st.altair_chart(chart, width="stretch")
    table_on_demand(t("表格：历月检测批次和合格率"), frame, key="rapid_history_table")


# One entry per business shown and language: its results change only with an audited write
# (a new version). The table is kept as Arrow: building the data frame and converting it
# were a quarter of a business page visit's server time.
@st.cache_data(ttl=cached.TTL, show_spinner=False, max_entries=1000)
def _business_results(url: str, version: str, business_id: int, language: str):
    import pyarrow as pa

    with get_portal().db.read() as session:
        rows = [row_of(t) for t in queries.business_results(session, business_id)]
    return rows, pa.Table.from_pandas(table_frame(rows), preserve_index=False) if rows else None


def business_section(ctx: PageContext, business_id: int) -> None:
    """The business page's 快检 part: its stall's (or its market's) recent results (read
    once per data version: at city scale the read was two thirds of a business page visit)."""
    rows, frame = _business_results(ctx.db.url, cached.version(ctx), business_id, i18n.current())
    if not rows:
        return
    st.subheader(t("市场快检记录"), anchor=False)
    st.caption(t("农贸市场对这家经营户（或这个市场）摊位上的食用农产品做的快速检测。快检是初筛，不是法定检验结论。"))
    positives = [r for r in rows if r.result == POSITIVE]
    for row in positives[:5]:
        positive_card(row)
    st.dataframe(frame, hide_index=True, width="stretch")
