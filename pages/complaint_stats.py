"""投诉举报公开: how the bureau handles complaints and reports, in figures, and the finished
cases (business, category, dates, outcome: never anything about the citizen)."""
from datetime import date

import pandas as pd
import streamlit as st

from portal.complaints import rules, stats
from portal.complaints.models import KIND_LABELS, STATUS_LABELS
from portal.timeutil import cn_date, local_today
from portal.ui import cached
from portal.ui.complaint_stats_views import METHOD, count_bars, frame, headline, month_chart, monthly
from portal.ui.layout import page_setup
from portal.ui.widgets import demo_notice

ctx = page_setup("投诉举报办理公开", layout="wide")
names = cached.district_names(ctx)
st.title("投诉举报办理情况公开", anchor=False)
st.markdown("我们收到了多少投诉举报、办得怎么样、群众是否满意。案件列表只显示商户、类别、日期和办理结果，"
            "不显示投诉人、举报人的任何信息。")

today = local_today()
years = list(range(today.year, today.year - 4, -1))
choice = st.segmented_control("统计期间", [str(y) for y in years] + ["全部"], default=str(today.year),
                              key="period")
start, end = (None, None) if choice in (None, "全部") else (date(int(choice), 1, 1), date(int(choice), 12, 31))


@st.cache_data(ttl=60, show_spinner=False)
def load(url, start, end):
    with ctx.db.read() as session:
        return (stats.summary(session, start, end), stats.breakdown(session, "category", start, end),
                stats.breakdown(session, "district", start, end), stats.by_day(session, start, end))


summary, by_category, by_district, by_day = load(ctx.db.url, start, end)
demo_notice(summary.demo)
if not summary.received:
    st.info("这一期间还没有投诉举报记录。请选择其他期间。")
    st.stop()
figures = headline(summary)
for start in range(0, len(figures), 3):   # row by row, so a phone reads them in order
    for column, (label, value, help_text) in zip(st.columns(3), figures[start:start + 3]):
        column.metric(label, value, help=help_text)
st.caption(METHOD)

tab_month, tab_category, tab_district = st.tabs(["按月份", "按问题类别", "按区县"])
with tab_month:
    data = monthly(by_day)
    st.altair_chart(month_chart(data), width="stretch")
    with st.expander("以表格查看"):
        st.dataframe(data, hide_index=True, width="stretch")
with tab_category:
    data = frame(by_category, "问题类别")
    st.altair_chart(count_bars(data, "问题类别"), width="stretch")
    with st.expander("以表格查看"):
        st.dataframe(data, hide_index=True, width="stretch")
with tab_district:
    data = frame(by_district, "区县", names)
    st.altair_chart(count_bars(data, "区县"), width="stretch")
    with st.expander("以表格查看"):
        st.dataframe(data, hide_index=True, width="stretch")

st.subheader("已办结案件", anchor=False)
left, right = st.columns(2)
category = left.selectbox("问题类别", [""] + rules.categories(), format_func=lambda c: c or "全部类别")
district = right.selectbox("区县", [""] + [d.adcode for d in ctx.profile.districts],
                           format_func=lambda c: names.get(c, "全部区县") if c else "全部区县")
page = st.number_input("页码", min_value=1, value=1, step=1)
with ctx.db.read() as session:
    total, cases = stats.finished_cases(session, category=category or None,
                                        district_adcode=district or None, start=start, end=end,
                                        page=int(page))
if not cases:
    st.info("没有符合条件的已办结案件。")
else:
    st.caption(f"统计期间内提交、已办结的共 {total:,} 件，每页 50 件，最新办结的在前。")
    st.dataframe(pd.DataFrame([{
        "商户": c.business_name, "类型": KIND_LABELS[c.kind], "问题类别": c.category,
        "区县": names.get(c.district_adcode or "", ""), "提交日期": cn_date(c.received_on),
        "办结日期": cn_date(c.finished_on), "状态": STATUS_LABELS[c.status],
        "办理结果": c.outcome or ("不予受理" if c.status == "refused" else "")} for c in cases]),
        hide_index=True, width="stretch")
