"""核查处置's 复检 / 异议 box (portal/sampling/reviews.py): record a business's application on a
failed batch, and later its outcome. Officials' page, in Chinese."""
from __future__ import annotations

import streamlit as st

from portal.rule_sources import flagged
from portal.sampling import reviews
from portal.sampling.models import SamplingBatch
from portal.sampling.rules import rules
from portal.timeutil import cn_date, local_today
from portal.ui.widgets import run_action

LABELS = {"kind": "申请类型", "notified_on": "收到检验结论日期", "applied_on": "申请日期",
          "batch": "批次", "review": "申请", "outcome": "结论", "decided_on": "结论日期"}


def review_forms(ctx, batch: SamplingBatch) -> None:
    st.subheader("复检和异议", anchor=False)
    st.caption("被抽样单位可以对不合格结论申请复检，或对抽样过程、样品真实性等提出异议，"
               "期限按工作日计算（与投诉举报同一日历）。" + flagged(rules()["review_working_days"]) + " "
               + flagged(rules()["objection_working_days"]))
    with ctx.db.read() as session:
        found = reviews.reviews_of(session, [batch.id]).get(batch.id, [])
    for review in found:
        st.markdown(f"**{reviews.label(review)}**：{cn_date(review.applied_on)}申请"
                    f"（申请期限 {cn_date(review.due_on)}）"
                    + (f"，{cn_date(review.decided_on)}作出结论" if review.decided_on else ""))
        if review.outcome is None:
            with st.form(f"review_outcome_{review.id}"):
                outcome = st.radio("结论", reviews.OUTCOMES, horizontal=True,
                                   format_func=reviews.OUTCOME_LABELS.get)
                decided = st.date_input("结论日期", value=None, format="YYYY/MM/DD", max_value=local_today())
                if st.form_submit_button("登记结论", type="primary"):
                    run_action(ctx, reviews.record_outcome, review.id, outcome, decided, labels=LABELS,
                               done="已登记结论并公开。", rerun=True)
    with st.form(f"review_apply_{batch.id}"):
        kind = st.radio("申请类型", list(reviews.KINDS), horizontal=True, format_func=reviews.KIND_LABELS.get)
        left, right = st.columns(2)
        notified = left.date_input("收到检验结论日期", value=None, format="YYYY/MM/DD", max_value=local_today())
        applied = right.date_input("申请日期", value=None, format="YYYY/MM/DD", max_value=local_today())
        if st.form_submit_button("登记申请"):
            run_action(ctx, reviews.record_application, batch.id,
                       {"kind": kind, "notified_on": notified, "applied_on": applied}, labels=LABELS,
                       done="已登记申请，公开页面显示“复检中”或“异议审核中”。", rerun=True)
