"""Rendering for 你点我检: the phase timeline, live tallies, and the results loop."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from portal.rounds.phases import PHASE_LABELS, STEP, TIMELINE
from portal.rounds.queries import PlannedResult, Tally
from portal.sampling.glossary import explain
from portal.sampling.models import FAILED
from portal.timeutil import cn_date
from portal.ui.sampling_views import result_badge
from portal.ui.widgets import md

HELP = ("“你点我检”：由群众提出并投票选出最关心的食品，市场监管部门按得票组织抽检，并公布结果。"
        "每期依次经过征集、投票、抽检和公布结果四个阶段。")


def timeline(round_, current: str) -> None:
    """Four steps with dates, one line each (compact on a phone); the current step is marked
    by an icon and the word 进行中, not by colour alone."""
    step = STEP[current]
    dates = [f"{cn_date(round_.proposal_from)}–{cn_date(round_.proposal_to)}",
             f"{cn_date(round_.vote_from)}–{cn_date(round_.vote_to)}",
             f"预计 {cn_date(round_.results_due)} 前公布",
             cn_date(round_.published_at) if round_.published_at else "待公布"]
    lines = []
    for i, ((_, label), when) in enumerate(zip(TIMELINE, dates)):
        if i < step or (i == step and label == "已公布"):
            mark, state = ":material/check_circle:", "已完成" if label != "已公布" else ""
        elif i == step:
            mark, state = ":material/radio_button_checked:", "**进行中**"
        else:
            mark, state = ":material/radio_button_unchecked:", "未开始"
        lines.append(f"{mark} **{i + 1}. {label}**　{state}　{when}")
    with st.container(border=True):
        st.markdown("  \n".join(lines))
    st.caption(f"当前阶段：{PHASE_LABELS[current]}")


def tally_frame(rows: list[Tally]) -> pd.DataFrame:
    total = sum(r.votes for r in rows) or 1
    return pd.DataFrame([{"候选项目": r.food + (f"（{r.place}）" if r.place else ""), "票数": r.votes,
                          "占比(%)": round(100 * r.votes / total, 1),
                          "列入抽检计划": "是" if r.selected else ""} for r in rows],
                        columns=["候选项目", "票数", "占比(%)", "列入抽检计划"])


def tally_chart(frame: pd.DataFrame) -> alt.Chart:
    y = alt.Y("候选项目:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220, labelOverlap=False))
    bars = alt.Chart(frame).mark_bar(color="#1d4e89").encode(
        y=y, x=alt.X("票数:Q", axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=["候选项目", "票数", "占比(%)"])
    labels = alt.Chart(frame).mark_text(align="left", dx=4).encode(y=y, x="票数:Q", text="票数:Q")
    return (bars + labels).properties(height=max(140, 32 * len(frame)))


def results_block(results: list[PlannedResult]) -> None:
    """Votes → plan → sampling status → result → 核查处置, one card per chosen candidate."""
    for result in results:
        c = result.candidate
        with st.container(border=True):
            st.markdown(f"#### {md(c.food)}" + (f"（{md(c.place)}）" if c.place else ""))
            st.caption(f"得票 {result.votes} · 已列入抽检计划")
            if not result.batches:
                st.markdown(":material/hourglass_top: 抽检中，结果公布后会显示在这里。")
                continue
            failed = [b for b in result.batches if b.result == FAILED]
            st.markdown(f"共抽检 **{len(result.batches)}** 批次，" +
                        (f"其中 **{len(failed)}** 批次不合格。" if failed else "全部合格。"))
            for batch in result.batches:
                lines = [f"**{md(batch.food_name)}**　{result_badge(batch.result)}",
                         f"被抽样单位：{md(batch.sampled_unit or '—')} · 公告日期：{cn_date(batch.announcement_date)}"]
                for item in batch.failed_items:
                    entry = explain(item.item)
                    lines.append(f"不合格项目：**{md(item.item)}**（检出 {md(item.result_value or '—')}，"
                                 f"标准 {md(item.standard_value or '—')}）" +
                                 (f"。{entry['what']}" if entry else ""))
                if batch.result == FAILED and batch.disposal:
                    lines.append(f"核查处置：**{batch.disposal.status}**" +
                                 (f"（{md(batch.disposal.measures)}）" if batch.disposal.measures else ""))
                st.markdown("  \n".join(lines))
                st.page_link("pages/sampling.py", label="查看这批次的详情", icon=":material/chevron_right:",
                             query_params={"batch": str(batch.id), "scope": "all"})
