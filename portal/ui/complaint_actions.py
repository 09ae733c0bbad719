"""The handler's action forms for one case. Each calls one function in
portal.complaints.handling inside one transaction; errors keep what was typed."""
from __future__ import annotations

import streamlit as st

from portal.complaints import handling, rules, templates
from portal.complaints.models import (HANDLING_STATUSES, KIND_LABELS, OPEN_STATUSES,
                                      PRIORITY_LABELS, REPORT, STATUS_LABELS, SUBMITTED, Complaint)
from portal.timeutil import cn_date
from portal.ui.widgets import md, run_action

LABELS = {"case": "案件", "text": "内容", "ground": "不予受理理由", "outcome": "办理结果",
          "reply": "办结答复", "into": "主件编号", "priority": "优先级", "_": "内容"}
TEMPLATE_USES = {"答复": "reply", "办结": "close", "请群众补充": "request_info"}


def _run(ctx, done: str, action, *args) -> None:
    run_action(ctx, action, *args, labels=LABELS, done=done, rerun=True)


def other_cases_notice(related: list[handling.RelatedCase]) -> None:
    """Other unfinished cases on the same business, each one click away."""
    if not related:
        return
    st.warning(f"这家商户还有 {len(related)} 件未办结的投诉举报，请一并考虑（可合并重复件）。",
               icon=":material/warning:")
    for r, col in zip(related[:6], st.columns(min(len(related), 6))):
        if col.button(f"{r.tracking_no}", key=f"related_{r.complaint_id}",
                      help=f"{KIND_LABELS[r.kind]} · {md(r.category)} · {STATUS_LABELS[r.status]} · "
                           f"{cn_date(r.received_on)}提交"):
            st.query_params["id"] = str(r.complaint_id)
            st.rerun()


def bulk_assign_form(ctx, chosen, units: list[str]) -> None:
    """Several rows ticked in the queue: one unit for all of them, one audit row per case."""
    with st.form("bulk_assign"):
        st.markdown(f"**批量交办**：已选 {len(chosen)} 件（" +
                    "、".join(r.tracking_no for r in chosen) + "）")
        unit = st.selectbox("承办单位", units, index=None, placeholder="请选择", key="bulk_unit")
        if st.form_submit_button(f"交办所选 {len(chosen)} 件", type="primary"):
            _run(ctx, f"已交办 {len(chosen)} 件", handling.bulk_assign,
                 [r.complaint_id for r in chosen], unit or "")


def _template_text(ctx, name: str, case: Complaint) -> str:
    """A template picker above the form; its choice (filled for this case) becomes the text
    area's starting value, which the handler then edits."""
    with ctx.db.read() as session:
        offered = templates.templates(session, TEMPLATE_USES[name])
    if not offered:
        return ""
    by_name = {t.name: t for t in offered}
    picked = st.selectbox("使用答复模板（可选）", ["", *by_name], key=f"tpl_{name}_{case.id}",
                          format_func=lambda n: n or "不使用模板")
    if not picked:
        return ""
    text = templates.fill(by_name[picked].body, case)
    st.caption("模板已填入下方，请补全括号中的内容后再发送。预览：" + md(text))
    return text


def action_tabs(ctx, case: Complaint, units: list[str], suggestion: str | None = None) -> None:
    if case.merged_into_id is not None:
        st.info("这件已并入另一件办理，请在主件上操作；主件办结时本件一并办结。")
        return
    tabs = []
    if case.status == SUBMITTED:
        tabs += ["受理", "不予受理"]
    if case.status in HANDLING_STATUSES:
        tabs += ["交办", "答复", "办结"]
    if case.status in OPEN_STATUSES:
        tabs += ["请群众补充", "合并重复件", "优先级"]
        if case.kind == REPORT and not case.extended:
            tabs.append("延长期限")
    tabs.append("内部备注")
    for name, tab in zip(tabs, st.tabs(tabs)):
        with tab:
            text = _template_text(ctx, name, case) if name in TEMPLATE_USES else ""
            with st.form(f"{name}_{case.id}"):
                _form(ctx, name, case, units, suggestion, text)


def _unit_index(options: list[str], case: Complaint, suggestion: str | None) -> int | None:
    current = case.assigned_unit or suggestion
    return options.index(current) if current in options else None


def _suggestion_caption(case: Complaint, suggestion: str | None) -> None:
    if suggestion and not case.assigned_unit:
        st.caption(f"已按商户所在区县建议交办给“{suggestion}”，可改选。")


def _form(ctx, name: str, case: Complaint, units: list[str], suggestion: str | None,
          text: str) -> None:
    cid = case.id
    if name == "受理":
        options = [""] + units
        unit = st.selectbox("交办单位（可稍后再交办）", options, index=_unit_index(options, case, suggestion) or 0,
                            format_func=lambda u: u or "暂不交办")
        _suggestion_caption(case, suggestion)
        if st.form_submit_button("受理", type="primary"):
            _run(ctx, "已受理", handling.accept, cid, unit or None)
    elif name == "不予受理":
        ground = st.selectbox("法定理由", rules.refusal_grounds(), index=None, placeholder="请选择")
        note = st.text_area("向群众说明（可选）", max_chars=1000)
        st.caption(f"依据：{rules.rules()['refusal_source']}。此决定会告知群众，不能撤回。")
        if st.form_submit_button("决定不予受理"):
            _run(ctx, "已作出不予受理决定", handling.refuse, cid, ground or "", note)
    elif name == "交办":
        unit = st.selectbox("承办单位", units, index=_unit_index(units, case, suggestion),
                            placeholder="请选择")
        _suggestion_caption(case, suggestion)
        if st.form_submit_button("交办", type="primary"):
            _run(ctx, "已交办", handling.assign, cid, unit or "")
    elif name == "答复":
        text = st.text_area("阶段性答复（群众可在进度查询中看到）", value=text, max_chars=2000)
        if st.form_submit_button("发送答复"):
            _run(ctx, "已答复", handling.reply, cid, text)
    elif name == "办结":
        outcome = st.selectbox("办理结果", rules.outcomes(case.kind), index=None, placeholder="请选择")
        text = st.text_area("办结答复（群众可见）", value=text, max_chars=2000,
                            placeholder="写明核查情况、处理结果和依据")
        sure = st.checkbox("我已核对办理结果和答复内容，确认办结", key=f"close_sure_{cid}")
        st.caption("办结后群众会收到答复，案件不能再办理或撤回。")
        if st.form_submit_button("办结", type="primary"):
            if not sure:
                st.error("请先勾选“我已核对办理结果和答复内容，确认办结”，再点办结。")
            else:
                _run(ctx, "已办结", handling.close, cid, outcome or "", text)
    elif name == "请群众补充":
        text = st.text_area("需要补充的内容（群众可见）", value=text, max_chars=2000,
                            placeholder="如：请补充购物小票照片和购买时间")
        if st.form_submit_button("发送"):
            _run(ctx, "已请群众补充材料", handling.request_information, cid, text)
    elif name == "合并重复件":
        into = st.text_input("并入哪一件（主件编号）", max_chars=24)
        st.caption("同一问题的重复件并入主件后不再单独计时；主件办结时本件一并办结并答复。")
        if st.form_submit_button("合并"):
            _run(ctx, "已合并", handling.merge, cid, into)
    elif name == "延长期限":
        reason = st.text_area("延长理由（经批准）", max_chars=500)
        if st.form_submit_button("延长立案决定期限"):
            _run(ctx, "已延长期限", handling.extend, cid, reason)
    elif name == "优先级":
        choice = st.radio("优先级", list(PRIORITY_LABELS), index=list(PRIORITY_LABELS).index(case.priority),
                          format_func=PRIORITY_LABELS.get, horizontal=True)
        st.caption("“紧急”由办理人员判断（如疑似食物中毒、涉及学校食堂），在队列中可按优先级筛选；法定期限不变。")
        if st.form_submit_button("保存优先级"):
            _run(ctx, "已保存优先级", handling.set_priority, cid, choice)
    elif name == "内部备注":
        text = st.text_area("备注（仅监管人员可见）", max_chars=2000)
        if st.form_submit_button("保存备注"):
            _run(ctx, "已保存备注", handling.add_note, cid, text)
