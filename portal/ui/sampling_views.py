"""Streamlit rendering for sampling results: result cards, the batch detail, statistics."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from portal.importers.sampling_parse import disclaimer, rules
from portal.sampling.glossary import explain
from portal.sampling.models import FAILED, SamplingBatch
from portal.sampling.queries import RateRow
from portal.timeutil import cn_date, local_today
from portal.ui.widgets import md

PAGE = "pages/sampling.py"
DISPOSAL_HELP = ("核查处置：发现不合格食品后，监管部门要追查来源和去向，责令经营者下架、召回，"
                 "并依法查处。处置状态依次为“待核查 → 核查中 → 已处置”。")


def result_badge(result: str) -> str:
    """Never colour alone: an icon and the word."""
    return ":red[:material/cancel: **不合格**]" if result == FAILED else \
        ":green[:material/check_circle: **合格**]"


def result_card(batch: SamplingBatch, params: dict[str, str], district_names: dict[str, str]) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(batch.food_name)}**　{result_badge(batch.result)}")
        place = district_names.get(batch.district_adcode or "", "")
        lines = [f"被抽样单位：{md(batch.sampled_unit or '—')}" + (f"（{place}）" if place else "")]
        if batch.producer_name:
            lines.append(f"标称生产企业：{md(batch.producer_name)}")
        lines.append(f"公告日期：{cn_date(batch.announcement_date)}　分类：{md(batch.category)}")
        if batch.result == FAILED and batch.failed_items:
            lines.append("不合格项目：" + "、".join(md(f.item) for f in batch.failed_items))
            if batch.disposal:
                lines.append(f"核查处置：{batch.disposal.status}")
        st.markdown("  \n".join(lines))
        st.page_link(PAGE, label="查看详情", icon=":material/chevron_right:",
                     query_params={**params, "batch": str(batch.id)})


def batch_detail(batch: SamplingBatch, district_names: dict[str, str]) -> None:
    st.title(batch.food_name, anchor=False)
    st.markdown(f"### {result_badge(batch.result)}")
    if batch.result == FAILED:
        st.error("这批食品检出不合格项目。下方说明了不合格的指标、它意味着什么，以及监管部门的处置情况。")
    st.caption(disclaimer())
    fields = [
        ("标称生产企业名称", batch.producer_name), ("标称生产企业地址", batch.producer_address),
        ("被抽样单位名称", batch.sampled_unit),
        ("被抽样单位地址", batch.sampled_address or batch.sampled_province),
        ("所属区县", district_names.get(batch.district_adcode or "", "")),
        ("规格型号", batch.specification), ("商标", batch.trademark),
        ("生产日期/批号", batch.production_batch or cn_date(batch.production_date)),
        ("分类", " / ".join(filter(None, (batch.category, batch.subcategory)))),
        ("公告号", batch.announcement_no), ("公告日期", cn_date(batch.announcement_date)),
        ("任务来源", batch.task_source), ("检验机构", batch.inspection_agency),
        ("备注", batch.remark),
    ]
    st.table(pd.DataFrame([(k, v) for k, v in fields if v], columns=["项目", "内容"])
             .set_index("项目"))
    registry_block(batch)
    if batch.result == FAILED:
        st.subheader("不合格项目")
        for item in batch.failed_items:
            with st.container(border=True):
                st.markdown(f"**{md(item.item)}**")
                st.markdown(f"检验结果：**{md(item.result_value or '—')}**　标准要求："
                            f"**{md(item.standard_value or '—')}**")
                entry = explain(item.item)
                if entry:
                    st.markdown(f"**这是什么？** {entry['what']}  \n**有什么影响？** {entry['why']}  \n"
                                f"**常见原因：** {entry['causes']}")
                    st.caption(f"类别：{entry['kind']}")
                else:
                    st.caption("暂无这一项目的通俗解释。")
        disposal_block(batch)


def registry_block(batch: SamplingBatch) -> None:
    """What the registry says of the sampled unit and the producer, when they are in it."""
    for role, business in (("被抽样单位", batch.sampled_business),
                           ("标称生产企业", batch.producer_business)):
        if business is None:
            continue
        with st.expander(f"{role}在本市的登记信息"):
            st.page_link("pages/business.py", label="查看这家单位的全部抽检记录",
                         icon=":material/storefront:", query_params={"id": str(business.id)})
            st.markdown(f"**{md(business.name)}**  \n{md(business.business_type)}（{md(business.sector)}）"
                        f"  \n地址：{md(business.address)}"
                        + (f"  \n统一社会信用代码：{business.credit_code}" if business.credit_code else "")
                        + (f"  \n许可证编号：{business.licence_no}" if business.licence_no else ""))


def disposal_block(batch: SamplingBatch) -> None:
    st.subheader("核查处置")
    st.caption(DISPOSAL_HELP)
    d = batch.disposal
    if d is None:
        st.info("暂无核查处置记录。")
        return
    steps = ["待核查", "核查中", "已处置"]
    reached = steps.index(d.status)
    st.markdown("　→　".join(f"**{s}**" if i == reached else (s if i < reached else f":gray[{s}]")
                             for i, s in enumerate(steps)))
    lines = []
    if d.started_on:
        lines.append(f"开始核查：{cn_date(d.started_on)}")
    if d.measures:
        lines.append(f"处置措施：{d.measures}")
    if d.document_no:
        lines.append(f"处罚文书号：{md(d.document_no)}")
    if d.completed_on:
        lines.append(f"办结日期：{cn_date(d.completed_on)}")
    elif d.due_on:
        late = d.due_on < local_today()
        lines.append(f"应于 {cn_date(d.due_on)} 前完成" + ("（已逾期）" if late else ""))
    if d.public_note:
        lines.append(f"说明：{md(d.public_note)}")
    st.markdown("  \n".join(lines) or "—")
    st.caption(rules()["disposal_days"]["source"])


def rate_frame(rows: list[RateRow], label: str) -> pd.DataFrame:
    return pd.DataFrame([{label: r.label, "批次": r.batches, "不合格": r.failed,
                          "合格率(%)": r.pass_rate} for r in rows])


def rate_chart(frame: pd.DataFrame, label: str, *, line: bool = False) -> alt.Chart:
    """Bars: batches per group, labelled with the pass rate; line: pass rate by month."""
    base = alt.Chart(frame)
    tooltip = [label, "批次", "不合格", "合格率(%)"]
    if line:
        trend = base.mark_line(point=True).encode(
            x=alt.X(f"{label}:N", title=label, sort=None),
            y=alt.Y("合格率(%):Q", scale=alt.Scale(zero=False), title="合格率（%）"),
            tooltip=tooltip)
        target = alt.Chart(pd.DataFrame({"目标": [98.0]}))
        mark = target.mark_rule(strokeDash=[4, 4], color="#b91c1c").encode(y="目标:Q")
        note = target.mark_text(align="left", dy=-6, color="#b91c1c").encode(
            x=alt.value(4), y="目标:Q", text=alt.value("评价性抽检合格率目标 98%"))
        return (trend + mark + note).properties(height=260)
    y = alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=160))
    bars = base.mark_bar().encode(y=y, x=alt.X("批次:Q", title="抽检批次", axis=alt.Axis(tickMinStep=1)),
                                  tooltip=tooltip)
    text = base.mark_text(align="left", dx=4).encode(
        y=y, x="批次:Q", text=alt.Text("合格率(%):Q", format=".1f"))
    return (bars + text).properties(height=max(160, 30 * len(frame)))


def count_chart(frame: pd.DataFrame, label: str, value: str) -> alt.Chart:
    y = alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=200))
    return alt.Chart(frame).mark_bar().encode(
        y=y, x=alt.X(f"{value}:Q", axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[label, value]).properties(height=max(160, 30 * len(frame)))
