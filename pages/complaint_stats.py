"""投诉举报公开: how the bureau handles complaints and reports, in figures, and the finished
cases (business, category, dates, outcome: never anything about the citizen)."""
from datetime import date

import pandas as pd
import streamlit as st

from portal.complaints import rules, stats
from portal.complaints.models import KIND_LABELS, STATUS_LABELS
from portal import i18n
from portal.i18n import N_, both, day, t
from portal.timeutil import local_today
from portal.ui import cached
from portal.ui.charts import altair_chart
from portal.ui.complaint_views import category_label
from portal.ui.i18n_views import district_labels
from portal.ui.complaint_stats_views import count_bars_of, frame, headline, month_chart_of, monthly
from portal.ui.layout import page_setup
from portal.ui.widgets import demo_notice, table_on_demand

ctx = page_setup("投诉举报办理公开", layout="wide", english=True)
names = district_labels(ctx)
st.title(t("投诉举报办理情况公开"), anchor=False)
st.markdown(t("我们收到了多少投诉举报、办得怎么样、群众是否满意。案件列表只显示商户、类别、日期和办理结果，"
              "不显示投诉人、举报人的任何信息。"))

today = local_today()
years = list(range(today.year, today.year - 4, -1))
PERIODS = {str(y): str(y) for y in years} | {"all": t("全部")}
choice = st.segmented_control(t("统计期间"), list(PERIODS), default=str(today.year), key="period",
                              format_func=PERIODS.get)
start, end = (None, None) if choice in (None, "all") else (date(int(choice), 1, 1), date(int(choice), 12, 31))


@st.cache_data(ttl=60, show_spinner=False)
def load(url, start, end):
    with ctx.db.read() as session:
        return stats.figures(session, start, end, groups=("month", "category", "district"))


figures = load(ctx.db.url, start, end)
summary = figures.summary
demo_notice(summary.demo)
if not summary.received:
    st.info(t("这一期间还没有投诉举报记录。请选择其他期间。"))
    st.stop()
shown = headline(summary)
for row in range(0, len(shown), 3):   # row by row, so a phone reads them in order
    for column, (label, value, definition) in zip(st.columns(3), shown[row:row + 3]):
        column.metric(label, value)
        column.caption(definition)

category_names = {name: category_label(name) for name in rules.categories()}


def chart_and_table(builder, rows: list[dict], table, key: str, *args) -> None:
    altair_chart(builder, rows, *args)      # the spec is cached per rows and language
    table_on_demand(t("以表格查看"), table, f"table_{key}")


def by_month() -> None:
    rows = figures.rows["month"]
    chart_and_table(month_chart_of, rows, lambda: monthly(rows), "month")


def by_category() -> None:
    label, rows = t("问题类别"), figures.rows["category"]
    chart_and_table(count_bars_of, rows, lambda: frame(rows, label, category_names), "category", label,
                    category_names)


def by_district() -> None:
    label, rows = t("区县"), figures.rows["district"]
    chart_and_table(count_bars_of, rows, lambda: frame(rows, label, names), "district", label, names)


# Only the open tab's chart and the opened tables are built (a rerun when one is chosen):
# building charts was most of a visit's server time (issue 17).
tabs = st.tabs([t("按月份"), t("按问题类别"), t("按区县")], key="stats_tab", on_change="rerun")
for tab, show in zip(tabs, (by_month, by_category, by_district)):
    with tab:
        if tab.open:
            show()

st.subheader(t("已办结案件"), anchor=False)
left, right = st.columns(2)
category_choices = {"": t("全部类别")} | category_names
category = left.selectbox(t("问题类别"), list(category_choices), format_func=category_choices.get)
district_choices = {"": t("全部区县")} | {d.adcode: names.get(d.adcode, d.adcode) for d in ctx.profile.districts}
district = right.selectbox(t("区县"), list(district_choices), format_func=district_choices.get)
page = st.number_input(t("页码"), min_value=1, value=1, step=1)


# Keyed as the cases are (with the language): building the frame cost more than reading them.
# Kept as Arrow, what st.dataframe sends: converting the frame on each visit cost as much again.
@st.cache_data(ttl=60, show_spinner=False, max_entries=200)
def cases_table(key: tuple, language: str, _cases):
    import pyarrow as pa

    return pa.Table.from_pandas(pd.DataFrame([{
        both("商户"): c.business_name, both("类型"): t(KIND_LABELS[c.kind]),
        both("问题类别"): category_names.get(c.category, c.category),
        both("区县"): names.get(c.district_adcode or "", ""), both("提交日期"): day(c.received_on),
        both("办结日期"): day(c.finished_on), both("状态"): t(STATUS_LABELS[c.status]),
        both("办理结果"): t(c.outcome) if c.outcome else (t(N_("不予受理")) if c.status == "refused" else "")}
        for c in _cases]), preserve_index=False)


total, cases = cached.finished_cases(ctx, category or None, district or None, start, end, int(page))
if not cases:
    st.info(t("没有符合条件的已办结案件。"))
else:
    st.caption(t("共 {n:,} 件：统计期间内提交、截至今天已办结的案件（不选类别和区县时即上方的“已办结”），"
                 "每页 50 件，最新办结的在前。", n=total))
    st.dataframe(cases_table((ctx.db.url, cached.version(ctx), category, district, start, end, int(page)),
                             i18n.current(), cases), hide_index=True, width="stretch")
    st.caption(t("开放数据接口：/api/v1/complaints/stats（统计）和 /api/v1/requests（案件，Open311 风格）。"))
