"""Streamlit rendering for sampling results: result cards, the batch detail, statistics."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from portal.sampling.rules import disclaimer
from portal.sampling.glossary import explain
from portal.sampling.models import DISPOSAL_STATUS_LABELS, DISPOSAL_STATUSES, FAILED, SamplingBatch
from portal.sampling.queries import RateRow
from portal.sampling.reviews import label
from portal import i18n
from portal.i18n import N_, aside, both, day, field, t
from portal.timeutil import local_today
from portal.ui.widgets import md
from portal.ui.page_links import page_link

PAGE = "pages/sampling.py"
OUTSIDE_SHORT = N_("外地抽检，由抽样地监管部门处置")
OUTSIDE_NOTE = N_("这批食品不是在本市抽样的（外地抽检，来自上级部门或外地发布的公告）。"
                  "它的核查处置由抽样地的监管部门负责，本页只公布检验结果。")
DISPOSAL_HELP = N_("核查处置：发现不合格食品后，监管部门要追查来源和去向，责令经营者下架、召回，"
                   "并依法查处。处置状态依次为“待核查 → 核查中 → 已处置”。")


def result_badge(result: str) -> str:
    """Never colour alone: an icon and the word."""
    return f":red[:material/cancel: **{t('不合格')}**]" if result == FAILED else \
        f":green[:material/check_circle: **{t('合格')}**]"


def result_card(batch: SamplingBatch, params: dict[str, str], district_names: dict[str, str]) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(batch.food_name)}**　{result_badge(batch.result)}")
        place = district_names.get(batch.district_adcode or "", "")
        lines = [f"{field('被抽样单位')}{md(batch.sampled_unit or '—')}" + (f"（{place}）" if place else "")]
        if batch.producer_name:
            lines.append(f"{field('标称生产企业')}{md(batch.producer_name)}")
        lines.append(f"{field('公告日期')}{day(batch.announcement_date)}　{field('分类')}{md(t(batch.category))}")
        if batch.result == FAILED and batch.failed_items:
            lines.append(f"{field('不合格项目')}" + "、".join(md(f.item) for f in batch.failed_items))
            if not batch.disposal_duty:
                lines.append(f"{field('核查处置')}{t(OUTSIDE_SHORT)}")
            elif batch.disposal:
                lines.append(f"{field('核查处置')}{t(batch.disposal.status_label)}")
        st.markdown("  \n".join(lines))
        page_link(PAGE, label=t("查看详情"), icon=":material/chevron_right:",
                  query_params={**params, "batch": str(batch.id)})


def batch_detail(batch: SamplingBatch, district_names: dict[str, str], reviews=()) -> None:
    st.title(md(batch.food_name), anchor=False)
    st.markdown(f"### {result_badge(batch.result)}")
    if batch.result == FAILED:
        st.error(t("这批食品检出不合格项目。下方说明了不合格的指标、它意味着什么，以及监管部门的处置情况。"))
    st.caption(disclaimer())
    fields = [
        (both("标称生产企业名称"), batch.producer_name), (both("标称生产企业地址"), batch.producer_address),
        (both("被抽样单位名称"), batch.sampled_unit),
        (both("被抽样单位地址"), batch.sampled_address or batch.sampled_province),
        (both("所属区县"), district_names.get(batch.district_adcode or "", "")),
        (both("规格型号"), batch.specification), (both("商标"), batch.trademark),
        (both("生产日期/批号"), batch.production_batch or day(batch.production_date)),
        (both("分类"), " / ".join(filter(None, (t(batch.category), batch.subcategory)))),
        (both("公告号"), batch.announcement_no), (both("公告日期"), day(batch.announcement_date)),
        (both("任务来源"), batch.task_source), (both("检验机构"), batch.inspection_agency),
        (both("备注"), batch.remark),
    ]
    # st.table renders markdown in its cells: every value here came from an imported file.
    shown = [(k, md(v)) for k, v in fields if v]
    st.table(pd.DataFrame({t("内容"): [v for _, v in shown]},
                          index=pd.Index([k for k, _ in shown], name=t("项目"))))
    registry_block(batch)
    if batch.result == FAILED:
        st.subheader(t("不合格项目"))
        for item in batch.failed_items:
            with st.container(border=True):
                entry = explain(item.item, i18n.english())
                st.markdown(f"**{md(item.item)}**" + (aside(entry["name"]) if entry and i18n.english() else ""))
                st.markdown(f"{field('检验结果')}**{md(item.result_value or '—')}**　{field('标准要求')}"
                            f"**{md(item.standard_value or '—')}**")
                if entry:
                    st.markdown(f"**{t('这是什么？')}** {entry['what']}  \n**{t('有什么影响？')}** "
                                f"{entry['why']}  \n**{t('常见原因：')}** {entry['causes']}")
                    st.caption(f"{field('类别')}{entry['kind']}")
                else:
                    st.caption(t("暂无这一项目的通俗解释。"))
        disposal_block(batch, reviews)


def registry_block(batch: SamplingBatch) -> None:
    """What the registry says of the sampled unit and the producer, when they are in it."""
    for title, business in ((t("被抽样单位在本市的登记信息"), batch.sampled_business),
                            (t("标称生产企业在本市的登记信息"), batch.producer_business)):
        if business is None:
            continue
        with st.expander(title):
            page_link("pages/business.py", label=t("查看这家单位的全部抽检记录"),
                      icon=":material/storefront:", query_params={"id": str(business.id)})
            st.markdown(f"**{md(business.name)}**  \n{md(t(business.business_type))}（{md(t(business.sector_label))}）"
                        f"  \n{field('地址')}{md(business.address)}"
                        + (f"  \n{field('统一社会信用代码')}{md(business.credit_code)}" if business.credit_code else "")
                        + (f"  \n{field('许可证编号')}{md(business.licence_no)}" if business.licence_no else ""))


def review_lines(reviews) -> list[str]:
    """复检中 / 复检维持 / 复检推翻 (or the 异议 words) with their dates, translated."""
    lines = []
    for review in reviews:
        when = t("{day}申请", day=day(review.applied_on)) + (
            "，" + t("{day}作出结论", day=day(review.decided_on)) if review.decided_on else "")
        lines.append(f"**{t(label(review))}**{aside(when)}")
    return lines


def disposal_block(batch: SamplingBatch, reviews=()) -> None:
    if reviews:
        st.subheader(t("复检和异议"))
        st.caption(t("被抽样单位对不合格结论可以申请复检，或对抽样过程等提出异议；复检推翻的，以复检结论为准。"))
        st.markdown("  \n".join(review_lines(reviews)))
    st.subheader(t("核查处置"))
    st.caption(t(DISPOSAL_HELP))
    if not batch.disposal_duty:
        st.info(t(OUTSIDE_NOTE))
        return
    d = batch.disposal
    if d is None:
        st.info(t("暂无核查处置记录。"))
        return
    steps = list(DISPOSAL_STATUS_LABELS.values())
    reached = DISPOSAL_STATUSES.index(d.status)
    st.markdown("　→　".join(f"**{t(s)}**" if i == reached else (t(s) if i < reached else f":gray[{t(s)}]")
                             for i, s in enumerate(steps)))
    lines = []
    if d.started_on:
        lines.append(f"{field('开始核查')}{day(d.started_on)}")
    if d.measures:
        lines.append(f"{field('处置措施')}{md(d.measures)}")
    if d.document_no:
        lines.append(f"{field('处罚文书号')}{md(d.document_no)}")
    if d.completed_on:
        lines.append(f"{field('办结日期')}{day(d.completed_on)}")
    elif d.due_on:
        late = d.due_on < local_today()
        lines.append(t("应于 {day} 前完成", day=day(d.due_on)) + (t("（已逾期）") if late else ""))
    if d.public_note:
        lines.append(f"{field('说明')}{md(d.public_note)}")
    st.markdown("  \n".join(lines) or "—")


def rate_frame(rows: list[RateRow], label: str) -> pd.DataFrame:
    """Columns: label, then batches, failed and pass rate under their names in the visitor's
    language (the chart reads them through BATCHES, FAILED_COL and RATE)."""
    return pd.DataFrame([{label: t(r.label) if r.label else r.label, t(BATCHES): r.batches,
                          t(FAILED_COL): r.failed, t(RATE): r.pass_rate} for r in rows])


BATCHES, FAILED_COL, RATE = N_("批次"), N_("不合格"), N_("合格率(%)")


def rate_chart(frame: pd.DataFrame, label: str, *, line: bool = False) -> alt.Chart:
    """Bars: batches per group, labelled with the pass rate; line: pass rate by month."""
    base = alt.Chart(frame)
    batches, rate = t(BATCHES), t(RATE)
    tooltip = [label, batches, t(FAILED_COL), rate]
    if line:
        trend = base.mark_line(point=True).encode(
            x=alt.X(f"{label}:N", title=label, sort=None),
            y=alt.Y(f"{rate}:Q", scale=alt.Scale(zero=False), title=t("合格率（%）")),
            tooltip=tooltip)
        target = alt.Chart(pd.DataFrame({"target": [98.0]}))
        mark = target.mark_rule(strokeDash=[4, 4], color="#b91c1c").encode(y="target:Q")
        note = target.mark_text(align="left", dy=-6, color="#b91c1c").encode(
            x=alt.value(4), y="target:Q", text=alt.value(t("评价性抽检合格率目标 98%")))
        return (trend + mark + note).properties(height=260)
    y = alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=160))
    bars = base.mark_bar().encode(y=y, x=alt.X(f"{batches}:Q", title=t("抽检批次"),
                                               axis=alt.Axis(tickMinStep=1)), tooltip=tooltip)
    text = base.mark_text(align="left", dx=4).encode(
        y=y, x=f"{batches}:Q", text=alt.Text(f"{rate}:Q", format=".1f"))
    return (bars + text).properties(height=max(160, 30 * len(frame)))


def count_chart(frame: pd.DataFrame, label: str, value: str) -> alt.Chart:
    y = alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=200))
    return alt.Chart(frame).mark_bar().encode(
        y=y, x=alt.X(f"{value}:Q", axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[label, value]).properties(height=max(160, 30 * len(frame)))
