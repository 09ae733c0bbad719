"""核查处置 (publisher): the queue of failed batches and their verification and disposal."""
import pandas as pd
import streamlit as st

from portal.accounts import audit
from portal.accounts.views import audit_rows
from portal.sampling.rules import rules
from portal.rule_sources import flagged
from portal.sampling import disposal, queries
from portal.sampling.models import (CHECKING, DISPOSAL_STATUS_LABELS, DISPOSAL_STATUSES, DISPOSED,
                                    PENDING)
from portal.timeutil import cn_date, local_today
from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.review_forms import review_forms
from portal.ui.sampling_views import DISPOSAL_HELP
from portal.ui.widgets import demo_notice, md, show_errors
from portal.validation import InputError

ctx = page_setup("核查处置", role="publisher", layout="wide")
st.title("不合格食品核查处置", anchor=False)
st.caption(DISPOSAL_HELP + " 每次登记都会记入审计日志；状态为“已处置”后，措施和文书号向公众公开。")
st.caption(f"完成时限 {rules()['disposal_days']['value']} 天。" + flagged(rules()["disposal_days"]))

demo_notice(cached.demo_present(ctx))
with ctx.db.read() as session:
    summary = queries.disposal_summary(session, local_today())
c1, c2, c3, c4 = st.columns(4)
c1.metric("逾期未处置", summary["overdue"])
for column, code in ((c2, PENDING), (c3, CHECKING), (c4, DISPOSED)):
    column.metric(DISPOSAL_STATUS_LABELS[code], summary[code])

SHOWN = {"open": "未办结", **DISPOSAL_STATUS_LABELS, "all": "全部"}
status = st.segmented_control("显示", list(SHOWN), default="open", format_func=SHOWN.get)
with ctx.db.read() as session:
    rows = disposal.queue(session, status if status in DISPOSAL_STATUSES else None)
if status == "open":
    rows = [r for r in rows if r.status != DISPOSED]
frame = pd.DataFrame([{"批次编号": r.batch_id, "食品名称": r.food_name, "被抽样单位": r.sampled_unit,
                       "公告日期": cn_date(r.announcement_date), "状态": SHOWN[r.status],
                       "应完成日期": cn_date(r.due_on), "逾期": "逾期" if r.overdue else ""}
                      for r in rows])
if frame.empty:
    st.info("没有需要显示的批次。")
    st.stop()
st.dataframe(frame, hide_index=True, width="stretch")

batch_id = st.selectbox("选择要登记的批次", [r.batch_id for r in rows],
                        format_func=lambda i: next(f"{r.batch_id} · {r.food_name} · {SHOWN[r.status]}"
                                                   for r in rows if r.batch_id == i))
with ctx.db.read() as session:
    batch = queries.get_batch(session, batch_id)
current = batch.disposal
st.markdown(f"**{md(batch.food_name)}**（{md(batch.sampled_unit or '—')}）不合格项目："
            + "、".join(md(f.item) for f in batch.failed_items))
with st.form(f"disposal_{batch_id}"):
    new_status = st.radio("状态", DISPOSAL_STATUSES, index=DISPOSAL_STATUSES.index(current.status),
                          format_func=DISPOSAL_STATUS_LABELS.get, horizontal=True)
    measures = st.multiselect("处置措施", disposal.MEASURES, placeholder="选择已采取的措施",
                              default=[m for m in (current.measures or "").split("、") if m in disposal.MEASURES])
    document_no = st.text_input("处罚（处理）文书号", value=current.document_no or "",
                                placeholder="如 市监处罚〔2026〕12号")
    left, right = st.columns(2)
    started = left.date_input("开始核查日期", value=current.started_on, format="YYYY/MM/DD")
    completed = right.date_input("办结日期", value=current.completed_on, format="YYYY/MM/DD",
                                 help="标记“已处置”时必填。")
    note = st.text_area("向公众公开的说明", value=current.public_note or "", max_chars=1000)
    if st.form_submit_button("保存", type="primary"):
        try:
            with ctx.db.write() as session:
                disposal.update_disposal(session, ctx.actor, batch_id, {
                    "status": new_status, "measures": measures, "document_no": document_no,
                    "started_on": started, "completed_on": completed, "public_note": note})
        except InputError as exc:
            show_errors(exc, {"status": "状态", "measures": "处置措施", "document_no": "文书号",
                              "public_note": "公开说明", "_": "登记内容", "batch": "批次"})
        else:
            cached.clear()
            st.toast("已保存")
            st.rerun()

review_forms(ctx, batch)

with st.expander("这一批次的操作记录"):
    with ctx.db.read() as session:
        _, entries = audit.search(session, audit.AuditFilter(
            object_type="sampling_batch", object_id=str(batch_id)))
    st.dataframe(pd.DataFrame(audit_rows(entries)), hide_index=True, width="stretch")
