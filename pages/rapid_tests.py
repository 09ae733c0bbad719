"""快检公示: markets' daily rapid tests. Today's results per market (positives first), one
market's days and pass rate over time, a search by food or market."""
from datetime import date

import streamlit as st

from portal.i18n import N_, t
from portal.rapid_tests.models import POSITIVE
from portal.rapid_tests.schemas import RapidFilter
from portal.timeutil import local_today
from portal.ui import rapid_views as views
from portal.ui.layout import page_setup
from portal.ui.widgets import demo_notice, id_param, md, list_address, show_address
from portal.ui.page_links import page_link

RESULT_CHOICES = {"": N_("全部"), "positive": N_("初筛阳性"), "negative": N_("阴性（合格）")}

ctx = page_setup("快检公示", layout="wide", english=True)
params = {k: st.query_params[k] for k in st.query_params}
today = local_today()

flt, problems = RapidFilter.from_params(params)
# The search's own address, page included: a market opened from it carries it, so that
# 返回快检公示 comes back to the same search (it came back to the day's overview).
listed = list_address({k: v for k, v in flt.to_params().items() if k != "market"}, params, first_page=0)

if "market" in params:
    show_address()
    market_id = id_param(params, "market")
    try:
        on = date.fromisoformat(params.get("day", "")[:10]) if params.get("day") else None
    except ValueError:
        on = None
    found = views.market(ctx, market_id, on, today) if market_id else None
    page_link("pages/rapid_tests.py", label=t("返回快检公示"), icon=":material/arrow_back:",
              query_params=listed)
    if found is None:
        st.title(t("快检公示"), anchor=False)
        st.warning(t("没有找到编号为“{id}”的市场，请返回重新查找。", id=md(params["market"][:20])))
        st.stop()
    name, business_id, is_demo, days, chosen, rows, history = found
    st.title(md(name), anchor=False)
    demo_notice(is_demo)
    views.notice()
    if business_id:
        page_link("pages/business.py", label=t("这个市场的登记信息"), icon=":material/storefront:",
                     query_params={"id": str(business_id)})
    if not days:
        st.info(t("这个市场还没有公布快检结果。"))
        st.stop()
    picked = st.selectbox(t("检测日期"), days, index=days.index(chosen), format_func=views.show_day)
    if picked != chosen:
        st.query_params["day"] = picked.isoformat()
        st.rerun()
    positives = [r for r in rows if r.result == POSITIVE]
    st.subheader(t("{day}：检测 {tests} 批次，初筛阳性 {positives} 批次", day=views.show_day(chosen),
                   tests=len(rows), positives=len(positives)), anchor=False)
    for row in positives:
        views.positive_card(row, market_link=False)
    views.table(rows, with_market=False)
    st.subheader(t("历月合格率"), anchor=False)
    views.history_chart(history)
    total = sum(m.tests for m in history)
    passed = total - sum(m.positives for m in history)
    st.caption(t("累计检测 {total:,} 批次，阴性（合格）{passed:,} 批次，合格率 {rate}%。", total=total,
                 passed=passed, rate=round(100 * passed / total, 1) if total else 0))
    st.stop()

st.title(t("农贸市场快检公示"), anchor=False)
st.markdown(t("农贸市场和快检室每天对蔬菜、水果、肉类、水产品等食用农产品做快速检测，结果在市场公示栏和这里公布。"
              "可按食品或市场名称查找；初筛阳性的结果排在前面，并附有复核、下架销毁和立案等后续处置情况。"))
views.notice()
latest, summary, day_positives, demo = views.overview(ctx, today)
demo_notice(demo)

for problem in problems:
    st.warning(t("链接中的条件有误：{problem}", problem=md(problem)))
with st.form("rapid_search"):
    q = st.text_input(t("食品或市场名称"), value=flt.q, max_chars=50,
                      placeholder=t("例如：韭菜、猪肉、某某农贸市场"))
    result = st.segmented_control(t("结果"), list(RESULT_CHOICES), default=flt.result,
                                  format_func=lambda code: t(RESULT_CHOICES[code]))
    if st.form_submit_button(t("查找"), type="primary"):
        # A new address for the search, keeping the language and 大字版.
        show_address(RapidFilter(q=q.strip()[:50], result=result or "").to_params())
        st.rerun()

if flt.q or flt.result:
    show_address(listed)     # after 返回快检公示 or 下一页 (links keep the address as it was)
    page = max(0, min(id_param(params, "page") or 0, 10_000))
    total, rows = views.search(ctx, flt, page)
    st.subheader(t("找到 {total:,} 条快检结果", total=total), anchor=False)
    if not rows:
        st.info(t("没有符合条件的快检结果。请换一个食品或市场名称。"))
        st.stop()
    for row in [r for r in rows if r.result == POSITIVE][:20]:
        views.positive_card(row, search=listed)
    views.table(rows)
    pages = -(-total // views.PAGE_SIZE)
    if pages > 1:
        st.caption(t("第 {page} / {pages} 页（初筛阳性在前，同类按日期从新到旧）", page=page + 1, pages=pages))
        left, right = st.columns(2)
        if page > 0:
            page_link("pages/rapid_tests.py", container=left, label=t("上一页"), icon=":material/chevron_left:",
                           query_params=flt.to_params() | {"page": str(page - 1)})
        if page + 1 < pages:
            page_link("pages/rapid_tests.py", container=right, label=t("下一页"), icon=":material/chevron_right:",
                            query_params=flt.to_params() | {"page": str(page + 1)})
    st.stop()

if latest is None:
    st.info(t("还没有公布快检结果。"))
    st.stop()
heading = t("今天") if latest == today else views.show_day(latest)
tests = sum(d.tests for d in summary)
positives = sum(d.positives for d in summary)
st.subheader(t("{day}的快检结果：{markets} 个市场，检测 {tests:,} 批次，初筛阳性 {positives:,} 批次",
               day=heading, markets=len(summary), tests=tests, positives=positives), anchor=False)
if latest != today:
    st.caption(t("今天的结果还没有公布，下面是最近一天的结果。"))
for row in day_positives:
    views.positive_card(row)
st.markdown(t("**各市场结果**（点击市场名称查看当天明细和历月合格率）"))
columns = st.columns(3)
for index, entry in enumerate(summary):
    with columns[index % 3].container(border=True):
        page_link("pages/rapid_tests.py", label=md(entry.name), icon=":material/storefront:",
                     query_params={"market": str(entry.market_id)})
        rate = round(100 * (entry.tests - entry.positives) / entry.tests, 1) if entry.tests else 0
        flag = " · :red[" + t("初筛阳性 {n}", n=entry.positives) + "]" if entry.positives else ""
        st.markdown(t("检测 {tests} 批次 · 合格率 {rate}%", tests=entry.tests, rate=rate) + flag)
