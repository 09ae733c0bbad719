"""抽检结果: search published sampling results, open one batch, statistics, downloads."""
from datetime import date

import pandas as pd
import streamlit as st

from portal.sampling.rules import disclaimer, rules
from portal.sampling import queries
from portal.sampling.schemas import MAX_KEYWORD, SamplingFilter
from portal.sampling.spec import EXPORT_COLUMNS, SPEC_VERSION
from portal.i18n import N_, both, day, t
from portal.timeutil import local_today
from portal.ui import cached
from portal.ui.charts import altair_chart
from portal.ui.i18n_views import district_labels
from portal.ui.layout import page_setup
from portal.ui.notice_views import follow_form
from portal.ui.sampling_views import (batch_detail, count_chart, rate_chart, rate_frame,
                                      result_card)
from portal import feed_paths
from portal.ui.page_links import page_link
from portal.ui.widgets import (demo_notice, download_buttons, feed_link, id_param, md,
                               list_address, show_address, table_on_demand)

RESULT_CHOICES = {"": N_("全部"), "pass": N_("合格"), "fail": N_("不合格")}

ctx = page_setup("抽检结果", english=True)
params = {k: st.query_params[k] for k in st.query_params}
flt, problems = SamplingFilter.from_params(params)
names = district_labels(ctx)
demo = cached.demo_present(ctx)

# The list's own address: the filter and, past the first, the page (Back and 返回查询结果
# come back to it; a reload or a shared address shows the same page).
listed = list_address(flt.to_params(), params)

if "batch" in params:
    show_address()
    back = listed
    batch_id = id_param(params, "batch")
    batch, from_round, reviews = cached.sampling_batch(ctx, batch_id) if batch_id else (None, None, [])
    page_link("pages/sampling.py", label=t("返回查询结果"), icon=":material/arrow_back:",
                 query_params=back)
    if batch is None:
        st.title(t("抽检结果"), anchor=False)
        st.warning(t("没有找到编号为“{id}”的抽检批次。它可能已被更正或链接有误，请返回重新查询。",
                     id=md(params['batch'][:20])))
        st.stop()
    demo_notice(batch.is_demo)
    if from_round:
        st.info(t("这批食品是群众在“你点我检”中投票选出、由我们组织抽检的：{title}。", title=md(from_round[1])),
                icon=":material/how_to_vote:")
        page_link("pages/rounds.py", label=t("查看这一期“你点我检”"), icon=":material/chevron_right:",
                     query_params={"round": str(from_round[0])})
    batch_detail(batch, names, reviews)
    st.stop()

show_address(listed)     # after 返回查询结果 or 下一页 (links keep the address as it was)
st.title(t("食品抽检结果"), anchor=False)
st.markdown(t("查询本市公布的食品安全监督抽检结果。输入食品名称、企业或商店名称即可查找；"
              "不合格批次附有不合格原因和处置情况。"))
demo_notice(demo)
feed_link(feed_paths.sampling(result=flt.result, district=flt.district, category=flt.category,
                             q=flt.q))
for problem in problems:
    st.warning(t("链接中的条件有误：{problem}", problem=md(problem)))
choices = {("failed", "*"): t("本市所有不合格抽检")}
if flt.district in names:
    choices[("district", flt.district)] = t("{district}的不合格抽检", district=names[flt.district])
if flt.category:
    choices[("category", flt.category)] = t("“{category}”类食品的不合格抽检", category=md(t(flt.category)))
follow_form(ctx, "failed", "*", "sampling", choices=choices)

with st.form("sampling_search"):
    q = st.text_input(t("食品、生产企业或被抽样单位名称"), value=flt.q, max_chars=MAX_KEYWORD,
                      placeholder=t("例如：猪肉、大米、某某超市"))
    result = st.segmented_control(t("检验结果"), list(RESULT_CHOICES), default=flt.result,
                                  format_func=lambda code: t(RESULT_CHOICES[code]))
    more_set = any((flt.category, flt.district, flt.date_from, flt.announcement_no,
                    flt.scope != "local", flt.sort != "date_desc"))
    with st.expander(t("更多条件：分类、区县、日期、公告号"), expanded=more_set):
        left, right = st.columns(2)
        category_options = [""] + cached.sampling_categories(ctx)
        category = left.selectbox(
            t("食品分类"), category_options,
            index=category_options.index(flt.category) if flt.category in category_options else 0,
            format_func=lambda c: t(c) if c else t("全部分类"))
        district_options = [""] + [d.adcode for d in ctx.profile.districts]
        district = right.selectbox(
            t("区县"), district_options,
            index=district_options.index(flt.district) if flt.district in district_options else 0,
            format_func=lambda c: names.get(c, t("全部区县")) if c else t("全部区县"))
        period = left.date_input(t("公告日期"), value=tuple(d for d in (flt.date_from, flt.date_to) if d),
                                 format="YYYY/MM/DD", help=t("选择开始和结束日期；不选则不限。"))
        announcement_no = right.text_input(t("公告号"), value=flt.announcement_no,
                                           max_chars=MAX_KEYWORD)
        scope = st.radio(t("范围"), ["local", "all"], index=["local", "all"].index(flt.scope),
                         format_func=lambda s: {"local": t("仅本市抽样的批次"),
                                                "all": t("已导入的全部公告（含外地抽样）")}[s],
                         horizontal=True)
        sort = st.selectbox(t("排序"), list(queries.SORTS), index=list(queries.SORTS).index(flt.sort),
                            format_func=lambda s: t(queries.SORTS[s][0]))
    if st.form_submit_button(t("查询"), type="primary", icon=":material/search:"):
        # Through the link's parser: the same checks, and a long keyword is cut, not refused.
        new, _ = SamplingFilter.from_params({
            "q": q, "result": result, "category": category, "district": district,
            "announcement_no": announcement_no, "scope": scope, "sort": sort,
            "date_from": period[0] if len(period) >= 1 else None,
            "date_to": period[1] if len(period) == 2 else (period[0] if period else None)})
        show_address(new.to_params())      # keeps the language and 大字版
        st.rerun()


def show_results() -> None:
    """One page of batches found, with the pages before and after."""
    page = id_param(params, "page") or 1
    total, rows = cached.sampling_search(ctx, flt, page)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    if total == 0:
        st.info(t("没有找到符合条件的抽检结果。请换一个关键词（如只输入“猪肉”），或放宽日期、分类、区县条件；"
                  "也可以在“更多条件”中选择“已导入的全部公告”。"))
    else:
        st.markdown(t("共找到 **{total:,}** 批次，第 {page} / {pages} 页。", total=total,
                      page=min(page, pages), pages=pages))
        for batch in rows:
            result_card(batch, listed, names)
        nav_left, nav_right = st.columns(2)
        if page > 1:
            page_link("pages/sampling.py", container=nav_left, label=t("上一页"), icon=":material/chevron_left:",
                               query_params={**flt.to_params(), "page": str(page - 1)})
        if page < pages:
            page_link("pages/sampling.py", container=nav_right, label=t("下一页"), icon=":material/chevron_right:",
                                query_params={**flt.to_params(), "page": str(page + 1)})
    st.caption(disclaimer())


def show_statistics() -> None:
    """Per-thousand figure, pass rates and the commonest failed items, for the query."""
    year = local_today().year
    stats = cached.sampling_stats(ctx, flt, year)
    demo_notice(demo)
    figure, last = stats["per_thousand"], stats["per_thousand_last"]
    targets = rules()["batches_per_thousand_targets"]["value"]
    c1, c2 = st.columns(2)
    c1.metric(t("{year}年每千人抽检批次（截至今天）", year=year), f"{figure.per_thousand:.2f}",
              help=t("本市抽样的批次 {batches:,} ÷ 常住人口 {population:,} × 1000。"
                     "目标不低于 {low} 批次/千人（先进城市达到 {high}）。只统计在本市抽样的批次。",
                     batches=figure.batches, population=figure.population, low=targets[0],
                     high=targets[1]))
    c2.metric(t("{year}年每千人抽检批次", year=year - 1), f"{last.per_thousand:.2f}",
              help=t("{batches:,} 批次 ÷ 常住人口 × 1000", batches=last.batches))
    st.caption(t("目标：每千人每年抽检不少于 {low} 批次；先进城市达到 {high} 批次。"
                 "{year}年为截至今天的累计数。只统计在本市抽样的批次。", low=targets[0],
                 high=targets[1], year=year))
    st.caption(t("以下统计按上方查询条件计算。合格率 = (批次 − 不合格批次) ÷ 批次。"))
    for key, label, line in (("category", t("食品分类"), False), ("month", t("月份"), True),
                             ("district", t("区县"), False)):
        frame = rate_frame(stats[key], label)
        st.markdown("**" + (t("按{label}：抽检批次和合格率（%）", label=label) if not line
                            else t("按{label}的合格率（%）", label=label)) + "**")
        if frame.empty:
            st.info(t("没有数据。"))
            continue
        altair_chart(rate_chart, frame, label, line=line)
        table_on_demand(t("按{label}的数字（表格）", label=label), frame, f"table_{key}")
    st.markdown("**" + t("最常见的不合格项目") + "**")
    item_col, batch_col = both("不合格项目"), t("批次")
    items = pd.DataFrame(stats["items"], columns=[item_col, batch_col])
    if items.empty:
        st.info(t("所选范围内没有不合格批次。"))
    else:
        altair_chart(count_chart, items, item_col, batch_col)
        table_on_demand(t("不合格项目（表格）"), items, "table_items")
    st.caption(t("数据更新至 {day}。", day=day(stats['data_date'])))


def show_downloads() -> None:
    """The query's batches as CSV/XLSX, with the column notes."""
    st.markdown(t("下载当前查询条件下的抽检结果（最多 50,000 行）。表格列固定，说明见下方。"))
    if st.button(t("准备下载文件"), icon=":material/download:"):
        with ctx.db.read() as session:
            frame = pd.DataFrame(queries.export_rows(session, flt),
                                 columns=[c for c, _ in EXPORT_COLUMNS])
            as_of = queries.data_date(session) or date.today()
        download_buttons(frame, "sampling", "抽检结果", as_of, EXPORT_COLUMNS, SPEC_VERSION,
                         [disclaimer()] + (["演示数据：不是真实抽检结果"] if demo else []))
        st.caption(t("共 {rows:,} 行，数据日期 {day}。", rows=len(frame), day=day(as_of)))
    with st.expander(t("列说明（规范版本 {version}）", version=SPEC_VERSION)):
        st.table(pd.DataFrame(EXPORT_COLUMNS, columns=[t("列名"), t("含义")]).set_index(t("列名")))
    st.caption(t("以“=、+、-、@”开头的单元格在下载文件中前面加了单引号，防止被电子表格当作公式执行。"))
    page_link("pages/about.py", label=t("其他网站和应用如何读取这些数据（开放数据接口）"),
                 icon=":material/api:")


# Only the open tab's content is computed (a rerun when another is chosen): the charts cost
# most of a visit's time, and most visitors never open them (issue 17).
tab_results, tab_stats, tab_download = st.tabs([t("查询结果"), t("统计"), t("下载与说明")],
                                               key="sampling_tab", on_change="rerun")
for tab, show in ((tab_results, show_results), (tab_stats, show_statistics),
                  (tab_download, show_downloads)):
    with tab:
        if tab.open:
            show()
