"""Drawing 快检 results (pages/rapid_tests.py, the business page) and their cached reads.

Rows leave the database as plain RapidRow values (cacheable, no lazy loads). Every text
from an imported sheet goes through md() where it is markdown; tables show it as data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from portal.i18n import day as show_day
from portal.rapid_tests import queries
from portal.rapid_tests.models import (CASE_LABELS, CASE_NONE, POSITIVE, RESULT_LABELS,
                                       REVIEW_LABELS, RapidTest)
from portal.rapid_tests.rules import public_trader, screening_notice
from portal.rapid_tests.schemas import RapidFilter
from portal.ui import cached
from portal.ui.layout import PageContext, get_portal
from portal.ui.widgets import md

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


@st.cache_data(ttl=cached.TTL, show_spinner=False)
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


@st.cache_data(ttl=cached.TTL, show_spinner=False)
def _search(url: str, version: str, flt: RapidFilter, page: int):
    with get_portal().db.read() as session:
        total, found = queries.search(session, flt, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
        return total, [row_of(t) for t in found]


def search(ctx: PageContext, flt: RapidFilter, page: int):
    return _search(ctx.db.url, cached.version(ctx), flt, page)


def notice() -> None:
    """Said plainly on every view of the results."""
    st.info(screening_notice(), icon=":material/info:")


def follow_up_text(row: RapidRow) -> str:
    """复核 → 下架/销毁 → 立案, each with its date: plain text (md() it for markdown)."""
    parts = [f"复核：{REVIEW_LABELS.get(row.review or 'pending')}"
             + (f"（{show_day(row.reviewed_on)}）" if row.reviewed_on else "")]
    parts.append(f"处置：{row.measures}（{show_day(row.measures_on)}）" if row.measures and row.measures_on
                 else f"处置：{row.measures}" if row.measures else "处置：待登记")
    case = row.case_status or CASE_NONE
    text = f"立案：{CASE_LABELS[case]}"
    if row.case_filed_on:
        text += f"（立案 {show_day(row.case_filed_on)}"
        text += f"，结案 {show_day(row.case_closed_on)}）" if row.case_closed_on else "）"
    parts.append(text)
    return "；".join(parts)


def positive_card(row: RapidRow, *, market_link: bool = True) -> None:
    """A positive screening result with its follow-up."""
    with st.container(border=True):
        where = f"{md(row.market)}" + (f" {md(row.stall)} 号摊位" if row.stall else "") + \
                (f"（{md(row.trader)}）" if row.trader else "")
        st.markdown(f":red-badge[初筛阳性] **{md(row.sample)}** · {md(row.item)}")
        value = f"，检测值 {md(row.value)}" if row.value else ""
        st.markdown(f"{show_day(row.tested_on)} · {where} · {md(row.method or '快速检测')}{value}")
        st.markdown(md(follow_up_text(row)))
        if row.note:
            st.caption(md(row.note))
        if market_link:
            st.page_link("pages/rapid_tests.py", label=f"{md(row.market)}的快检记录",
                         icon=":material/chevron_right:", query_params={"market": str(row.market_id)})


def table(rows: list[RapidRow], *, with_market: bool = True) -> None:
    """Results as a table (cells are data, never markdown)."""
    frame = pd.DataFrame([{
        "检测日期": r.tested_on, **({"市场": r.market} if with_market else {}), "摊位": r.stall or "",
        "经营户": r.trader or "", "样品": r.sample, "检测项目": r.item, "检测值": r.value or "",
        "结果": RESULT_LABELS[r.result],
        "后续处置": follow_up_text(r) if r.result == POSITIVE else ""} for r in rows])
    st.dataframe(frame, hide_index=True, width="stretch")


def history_chart(history: list[queries.Month]) -> None:
    frame = pd.DataFrame([{"月份": m.month, "检测批次": m.tests, "初筛阳性": m.positives,
                           "合格率（%）": m.pass_rate} for m in reversed(history)])
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("月份:N", sort=None), y=alt.Y("合格率（%）:Q", scale=alt.Scale(zero=False)),
        tooltip=["月份", "检测批次", "初筛阳性", "合格率（%）"]).properties(height=240)
    st.altair_chart(chart, width="stretch")


def business_section(ctx: PageContext, business_id: int) -> None:
    """The business page's 快检 part: its stall's (or its market's) recent results."""
    with ctx.db.read() as session:
        rows = [row_of(t) for t in queries.business_results(session, business_id)]
    if not rows:
        return
    st.subheader("市场快检记录", anchor=False)
    st.caption("农贸市场对这家经营户（或这个市场）摊位上的食用农产品做的快速检测。快检是初筛，不是法定检验结论。")
    positives = [r for r in rows if r.result == POSITIVE]
    for row in positives[:5]:
        positive_card(row)
    table(rows)
