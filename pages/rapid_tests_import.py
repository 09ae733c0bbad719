"""导入快检结果 (publisher): markets' daily rapid-test sheets; then the follow-up of a positive."""
import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from portal.importers.rapid_tests import import_rapid_tests
from portal.rapid_tests import queries
from portal.rapid_tests.actions import update_follow_up
from portal.rapid_tests.models import CASE_LABELS, POSITIVE, REVIEW_LABELS
from portal.rapid_tests.rules import rules
from portal.rapid_tests.schemas import RapidFilter
from portal.tables import MAX_BYTES
from portal.timeutil import local_today
from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.rapid_views import follow_up_text, row_of
from portal.ui.widgets import md, run_action

ctx = page_setup("导入快检结果", role="publisher", layout="wide")
st.title("导入快检结果", anchor=False)
st.caption("市场或快检室每天的快检公示表：检测日期、市场名称、摊位号、经营户、样品名称、检测项目、检测方法、"
           "抑制率和检测结果（阴性/阳性 或 合格/不合格），可选处理情况、复核结果、立案情况。"
           "市场名称和检测日期可以只写在标题里（如“某某农贸市场食用农产品快速检测结果公示”“检测日期：2024年5月6日”）。"
           "列名可以是常见的不同叫法；同一文件重复导入不会产生重复记录。")
upload = st.file_uploader("表格文件（.xlsx、.xls 或 .csv）", type=["xlsx", "xls", "csv"],
                          help=f"单个文件不超过 {MAX_BYTES // 1024 // 1024} MB。")
if upload is not None:
    data = upload.getvalue()
    key = hashlib.sha256(data).hexdigest()
    if st.session_state.get("rapid_trial_key") != key:
        with st.spinner("正在检查文件…"), ctx.db.write() as session:
            st.session_state["rapid_trial"] = import_rapid_tests(session, ctx.actor, data, upload.name,
                                                                 dry_run=True)
        st.session_state["rapid_trial_key"] = key
    trial = st.session_state["rapid_trial"]
    if trial.refused:
        st.error(f"无法导入这个文件：{md(trial.refused)}")
    else:
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("数据行", f"{trial.rows:,}")
        c2.metric("新增", f"{trial.imported:,}")
        c3.metric("更正已有的", f"{trial.updated:,}")
        c4.metric("有问题（不会导入）", f"{trial.rejected:,}")
        if trial.errors:
            st.subheader("有问题的行", anchor=False)
            st.caption("这些行不会导入。请按说明在原表中改正后再次导入同一文件。")
            st.dataframe(pd.DataFrame([{"行号": e["row"], "列": e["column"], "问题": e["message"]}
                                       for e in trial.errors]), hide_index=True, width="stretch")
        if trial.imported + trial.updated == 0:
            st.warning("没有需要导入的新数据。")
        elif st.button(f"确认导入（新增 {trial.imported:,}，更正 {trial.updated:,}）", type="primary"):
            with ctx.db.write() as session:
                report = import_rapid_tests(session, ctx.actor, data, upload.name)
            cached.clear()
            st.session_state.pop("rapid_trial_key", None)
            st.success(f"已导入：新增 {report.imported:,}，更正 {report.updated:,}，重复 {report.duplicates:,}，"
                       f"{report.rejected:,} 行有问题未导入。")

st.divider()
st.subheader("初筛阳性的后续处置", anchor=False)
st.caption("登记实验室复核结果、下架销毁和立案情况。公众在快检公示页看到这里登记的状态和日期。")
with ctx.db.read() as session:
    _, found = queries.search(session, RapidFilter(result=POSITIVE), limit=100, count=False)
    rows = [row_of(t) for t in found]
if not rows:
    st.info("没有初筛阳性的快检结果。")
    st.stop()
chosen = st.selectbox("选择一条初筛阳性结果", rows, format_func=lambda r: (
    f"{r.tested_on} {r.market} {r.stall or ''} {r.sample}（{follow_up_text(r)}）"))
with st.form("follow_up"):
    left, right = st.columns(2)
    review = left.selectbox("实验室复核", list(REVIEW_LABELS), index=list(REVIEW_LABELS).index(chosen.review or "pending"),
                            format_func=REVIEW_LABELS.get)
    reviewed_on = right.date_input("复核日期", value=chosen.reviewed_on, max_value=local_today())
    measures = left.multiselect("处置措施", rules()["measure_words"],
                                default=[m for m in (chosen.measures or "").split("、") if m in rules()["measure_words"]])
    measures_on = right.date_input("处置日期", value=chosen.measures_on or chosen.tested_on, max_value=local_today())
    case = left.selectbox("立案情况", list(CASE_LABELS), index=list(CASE_LABELS).index(chosen.case_status or "none"),
                          format_func=CASE_LABELS.get)
    filed = right.date_input("立案日期", value=chosen.case_filed_on, max_value=local_today())
    closed = right.date_input("结案日期", value=chosen.case_closed_on, max_value=local_today())
    note = st.text_area("公开说明（可选）", value=chosen.note or "", max_chars=1000)
    if st.form_submit_button("保存", type="primary"):
        data = {"review": review, "reviewed_on": reviewed_on, "measures": measures,
                "measures_on": measures_on if isinstance(measures_on, date) else None,
                "case_status": case, "case_filed_on": filed, "case_closed_on": closed, "public_note": note}
        run_action(ctx, update_follow_up, chosen.id, data, labels={
            "review": "实验室复核", "measures": "处置措施", "public_note": "公开说明", "test": "快检结果"},
            done="已保存后续处置", rerun=True)
