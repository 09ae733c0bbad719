"""Rendering for 你点我检: the phase timeline, live tallies, and the results loop."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from portal.rounds.phases import PHASE_LABELS, STEP, TIMELINE
from portal.rounds.queries import PlannedResult, Tally
from portal.sampling.glossary import explain
from portal.sampling.models import FAILED
from portal import i18n
from portal.i18n import N_, aside, day, field, t
from portal.ui.sampling_views import result_badge
from portal.ui.widgets import md
from portal.ui.page_links import page_link

HELP = N_("“你点我检”：由群众提出并投票选出最关心的食品，市场监管部门按得票组织抽检，并公布结果。"
          "每期依次经过征集、投票、抽检和公布结果四个阶段。")
CANDIDATE, VOTES, SHARE, IN_PLAN = N_("候选项目"), N_("票数"), N_("占比(%)"), N_("列入抽检计划")


def timeline(round_, current: str) -> None:
    """Four steps with dates, one line each (compact on a phone); the current step is marked
    by an icon and the word 进行中, not by colour alone."""
    step = STEP[current]
    dates = [f"{day(round_.proposal_from)}–{day(round_.proposal_to)}",
             f"{day(round_.vote_from)}–{day(round_.vote_to)}",
             t("预计 {day} 前公布", day=day(round_.results_due)),
             day(round_.published_at) if round_.published_at else t("待公布")]
    lines = []
    for i, ((_, label), when) in enumerate(zip(TIMELINE, dates)):
        last = label == "已公布"
        if i < step or (i == step and last):
            mark, state = ":material/check_circle:", "" if last else t("已完成")
        elif i == step:
            mark, state = ":material/radio_button_checked:", "**" + t("进行中") + "**"
        else:
            mark, state = ":material/radio_button_unchecked:", t("未开始")
        lines.append(f"{mark} **{i + 1}. {t(label)}**　{state}　{when}")
    with st.container(border=True):
        st.markdown("  \n".join(lines))
    st.caption(field("当前阶段") + t(PHASE_LABELS[current]))


def tally_frame(rows: list[Tally]) -> pd.DataFrame:
    total = sum(r.votes for r in rows) or 1
    columns = [t(CANDIDATE), t(VOTES), t(SHARE), t(IN_PLAN)]
    return pd.DataFrame([dict(zip(columns, (r.food + (aside(r.place) if r.place else ""), r.votes,
                                            round(100 * r.votes / total, 1),
                                            t("是") if r.selected else "")))
                         for r in rows], columns=columns)


def tally_chart(frame: pd.DataFrame) -> alt.Chart:
    candidate, votes, share = t(CANDIDATE), t(VOTES), t(SHARE)
    y = alt.Y(f"{candidate}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220, labelOverlap=False))
    bars = alt.Chart(frame).mark_bar(color="#1d4e89").encode(
        y=y, x=alt.X(f"{votes}:Q", axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[candidate, votes, share])
    labels = alt.Chart(frame).mark_text(align="left", dx=4).encode(y=y, x=f"{votes}:Q", text=f"{votes}:Q")
    return (bars + labels).properties(height=max(140, 32 * len(frame)))


def results_block(results: list[PlannedResult]) -> None:
    """Votes → plan → sampling status → result → 核查处置, one card per chosen candidate."""
    for result in results:
        c = result.candidate
        with st.container(border=True):
            st.markdown(f"#### {md(c.food)}" + (aside(md(c.place)) if c.place else ""))
            st.caption(t("得票 {n} · 已列入抽检计划", n=result.votes))
            if not result.batches:
                st.markdown(":material/hourglass_top: " + t("抽检中，结果公布后会显示在这里。"))
                continue
            failed = [b for b in result.batches if b.result == FAILED]
            st.markdown(t("共抽检 **{n}** 批次，", n=len(result.batches)) +
                        (t("其中 **{n}** 批次不合格。", n=len(failed)) if failed else t("全部合格。")))
            for batch in result.batches:
                lines = [f"**{md(batch.food_name)}**　{result_badge(batch.result)}",
                         f"{field('被抽样单位')}{md(batch.sampled_unit or '—')} · "
                         f"{field('公告日期')}{day(batch.announcement_date)}"]
                for item in batch.failed_items:
                    entry = explain(item.item, i18n.english())
                    lines.append(field("不合格项目") + f"**{md(item.item)}**" +
                                 aside(t("检出 {value}，标准 {limit}", value=md(item.result_value or '—'),
                                         limit=md(item.standard_value or '—'))) +
                                 ((". " if i18n.english() else "。") + entry["what"] if entry else ""))
                if batch.result == FAILED and batch.disposal:
                    lines.append(field("核查处置") + f"**{t(batch.disposal.status_label)}**" +
                                 (aside(md(batch.disposal.measures)) if batch.disposal.measures else ""))
                st.markdown("  \n".join(lines))
                page_link("pages/sampling.py", label=t("查看这批次的详情"), icon=":material/chevron_right:",
                          query_params={"batch": str(batch.id), "scope": "all"})
