"""The handler's action forms for one case. Each calls one function in
portal.complaints.handling inside one transaction; errors keep what was typed."""
from __future__ import annotations

import streamlit as st

from portal.complaints import handling, rules
from portal.complaints.models import ACCEPTED, IN_PROGRESS, OPEN_STATUSES, REPORT, SUBMITTED, Complaint
from portal.ui.widgets import run_action

LABELS = {"case": "案件", "text": "内容", "ground": "不予受理理由", "outcome": "办理结果",
          "reply": "办结答复", "into": "主件编号", "_": "内容"}


def _run(ctx, done: str, action, *args) -> None:
    run_action(ctx, action, *args, labels=LABELS, done=done, rerun=True)


def action_tabs(ctx, case: Complaint, units: list[str]) -> None:
    if case.merged_into_id is not None:
        st.info("这件已并入另一件办理，请在主件上操作；主件办结时本件一并办结。")
        return
    tabs = []
    if case.status == SUBMITTED:
        tabs += ["受理", "不予受理"]
    if case.status in (ACCEPTED, IN_PROGRESS):
        tabs += ["交办", "答复", "办结"]
    if case.status in OPEN_STATUSES:
        tabs += ["请群众补充", "合并重复件"]
        if case.kind == REPORT and not case.extended:
            tabs.append("延长期限")
    tabs.append("内部备注")
    for name, tab in zip(tabs, st.tabs(tabs)):
        with tab, st.form(f"{name}_{case.id}"):
            _form(ctx, name, case, units)


def _form(ctx, name: str, case: Complaint, units: list[str]) -> None:
    cid = case.id
    if name == "受理":
        unit = st.selectbox("交办单位（可稍后再交办）", [""] + units, format_func=lambda u: u or "暂不交办")
        if st.form_submit_button("受理", type="primary"):
            _run(ctx, "已受理", handling.accept, cid, unit or None)
    elif name == "不予受理":
        ground = st.selectbox("法定理由", rules.refusal_grounds(), index=None, placeholder="请选择")
        note = st.text_area("向群众说明（可选）", max_chars=1000)
        st.caption(f"依据：{rules.rules()['refusal_source']}。此决定会告知群众，不能撤回。")
        if st.form_submit_button("决定不予受理"):
            _run(ctx, "已作出不予受理决定", handling.refuse, cid, ground or "", note)
    elif name == "交办":
        unit = st.selectbox("承办单位", units, index=units.index(case.assigned_unit)
                            if case.assigned_unit in units else None, placeholder="请选择")
        if st.form_submit_button("交办", type="primary"):
            _run(ctx, "已交办", handling.assign, cid, unit or "")
    elif name == "答复":
        text = st.text_area("阶段性答复（群众可在进度查询中看到）", max_chars=2000)
        if st.form_submit_button("发送答复"):
            _run(ctx, "已答复", handling.reply, cid, text)
    elif name == "办结":
        outcome = st.selectbox("办理结果", rules.outcomes(case.kind), index=None, placeholder="请选择")
        text = st.text_area("办结答复（群众可见）", max_chars=2000,
                            placeholder="写明核查情况、处理结果和依据")
        if st.form_submit_button("办结", type="primary"):
            _run(ctx, "已办结", handling.close, cid, outcome or "", text)
    elif name == "请群众补充":
        text = st.text_area("需要补充的内容（群众可见）", max_chars=2000,
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
    elif name == "内部备注":
        text = st.text_area("备注（仅监管人员可见）", max_chars=2000)
        if st.form_submit_button("保存备注"):
            _run(ctx, "已保存备注", handling.add_note, cid, text)
