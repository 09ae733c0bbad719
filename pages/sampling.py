"""抽检结果: search published sampling results, open one batch, statistics, downloads."""
from datetime import date

import pandas as pd
import streamlit as st

from portal.importers.sampling_parse import disclaimer, rules
from portal.rounds.queries import rounds_for_batches
from portal.sampling import queries
from portal.sampling.spec import EXPORT_COLUMNS, SPEC_VERSION
from portal.timeutil import cn_date, local_today
from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.sampling_views import (batch_detail, count_chart, rate_chart, rate_frame,
                                      result_card)
from portal.ui.widgets import demo_notice, download_buttons, id_param, md

ctx = page_setup("抽检结果")
params = {k: st.query_params[k] for k in st.query_params}
flt, problems = queries.SamplingFilter.from_params(params)
names = cached.district_names(ctx)
demo = cached.demo_present(ctx)

if "batch" in params:
    back = flt.to_params()
    batch_id = id_param(params, "batch")
    with ctx.db.read() as session:
        batch = queries.get_batch(session, batch_id) if batch_id else None
        from_round = rounds_for_batches(session, [batch_id]).get(batch_id) if batch else None
    st.page_link("pages/sampling.py", label="返回查询结果", icon=":material/arrow_back:",
                 query_params=back)
    if batch is None:
        st.title("抽检结果", anchor=False)
        st.warning(f"没有找到编号为“{params['batch'][:20]}”的抽检批次。它可能已被更正或链接有误，请返回重新查询。")
        st.stop()
    demo_notice(batch.is_demo)
    if from_round:
        st.info(f"这批食品是群众在“你点我检”中投票选出、由我们组织抽检的：{md(from_round[1])}。",
                icon=":material/how_to_vote:")
        st.page_link("pages/rounds.py", label="查看这一期“你点我检”", icon=":material/chevron_right:",
                     query_params={"round": str(from_round[0])})
    batch_detail(batch, names)
    st.stop()

st.title("食品抽检结果", anchor=False)
st.markdown("查询本市公布的食品安全监督抽检结果。输入食品名称、企业或商店名称即可查找；"
            "不合格批次附有不合格原因和处置情况。")
demo_notice(demo)
for problem in problems:
    st.warning(f"链接中的条件有误：{problem}")

with st.form("sampling_search"):
    q = st.text_input("食品、生产企业或被抽样单位名称", value=flt.q, max_chars=queries.MAX_KEYWORD,
                      placeholder="例如：猪肉、大米、某某超市")
    result = st.segmented_control("检验结果", ["全部", "合格", "不合格"],
                                  default=flt.result or "全部")
    more_set = any((flt.category, flt.district, flt.date_from, flt.announcement_no,
                    flt.scope != "local", flt.sort != "date_desc"))
    with st.expander("更多条件：分类、区县、日期、公告号", expanded=more_set):
        left, right = st.columns(2)
        category_options = [""] + cached.sampling_categories(ctx)
        category = left.selectbox(
            "食品分类", category_options,
            index=category_options.index(flt.category) if flt.category in category_options else 0,
            format_func=lambda c: c or "全部分类")
        district_options = [""] + [d.adcode for d in ctx.profile.districts]
        district = right.selectbox(
            "区县", district_options,
            index=district_options.index(flt.district) if flt.district in district_options else 0,
            format_func=lambda c: names.get(c, "全部区县") if c else "全部区县")
        period = left.date_input("公告日期", value=tuple(d for d in (flt.date_from, flt.date_to) if d),
                                 format="YYYY-MM-DD", help="选择开始和结束日期；不选则不限。")
        announcement_no = right.text_input("公告号", value=flt.announcement_no,
                                           max_chars=queries.MAX_KEYWORD)
        scope = st.radio("范围", ["local", "all"], index=["local", "all"].index(flt.scope),
                         format_func=lambda s: {"local": "仅本市抽样的批次",
                                                "all": "已导入的全部公告（含外地抽样）"}[s],
                         horizontal=True)
        sort = st.selectbox("排序", list(queries.SORTS), index=list(queries.SORTS).index(flt.sort),
                            format_func=lambda s: queries.SORTS[s][0])
    if st.form_submit_button("查询", type="primary", icon=":material/search:"):
        new = queries.SamplingFilter(
            q=q.strip(), result="" if result in ("全部", None) else result, category=category,
            district=district, announcement_no=announcement_no.strip(), scope=scope, sort=sort,
            date_from=period[0] if len(period) >= 1 else None,
            date_to=period[1] if len(period) == 2 else (period[0] if period else None))
        st.query_params.from_dict(new.to_params())
        st.rerun()

tab_results, tab_stats, tab_download = st.tabs(["查询结果", "统计", "下载与说明"])
with tab_results:
    page = id_param(params, "page") or 1
    total, rows = cached.sampling_search(ctx, flt, page)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    if total == 0:
        st.info("没有找到符合条件的抽检结果。请换一个关键词（如只输入“猪肉”），或放宽日期、分类、区县条件；"
                "也可以在“更多条件”中选择“已导入的全部公告”。")
    else:
        st.markdown(f"共找到 **{total:,}** 批次，第 {min(page, pages)} / {pages} 页。")
        for batch in rows:
            result_card(batch, flt.to_params(), names)
        nav_left, nav_right = st.columns(2)
        if page > 1:
            nav_left.page_link("pages/sampling.py", label="上一页", icon=":material/chevron_left:",
                               query_params={**flt.to_params(), "page": str(page - 1)})
        if page < pages:
            nav_right.page_link("pages/sampling.py", label="下一页", icon=":material/chevron_right:",
                                query_params={**flt.to_params(), "page": str(page + 1)})
    st.caption(disclaimer())

with tab_stats:
    year = local_today().year
    stats = cached.sampling_stats(ctx, flt, year)
    demo_notice(demo)
    figure, last = stats["per_thousand"], stats["per_thousand_last"]
    targets = rules()["batches_per_thousand_targets"]["value"]
    c1, c2 = st.columns(2)
    c1.metric(f"{year}年每千人抽检批次（截至今天）", f"{figure.per_thousand:.2f}",
              help=f"本市抽样的批次 {figure.batches:,} ÷ 常住人口 {figure.population:,} × 1000。"
                   f"目标不低于 {targets[0]} 批次/千人（先进城市达到 {targets[1]}）。只统计在本市抽样的批次。")
    c2.metric(f"{year - 1}年每千人抽检批次", f"{last.per_thousand:.2f}",
              help=f"{last.batches:,} 批次 ÷ 常住人口 × 1000")
    st.caption(f"目标：每千人每年抽检不少于 {targets[0]} 批次；先进城市达到 {targets[1]} 批次。"
               f"{year}年为截至今天的累计数。只统计在本市抽样的批次。")
    st.caption("以下统计按上方查询条件计算。合格率 = (批次 − 不合格批次) ÷ 批次。")
    for key, label, line in (("category", "食品分类", False), ("month", "月份", True),
                             ("district", "区县", False)):
        frame = rate_frame(stats[key], label)
        st.markdown(f"**按{label}：抽检批次和合格率（%）**" if not line else f"**按{label}的合格率（%）**")
        if frame.empty:
            st.info("没有数据。")
            continue
        st.altair_chart(rate_chart(frame, label, line=line), width="stretch")
        with st.expander(f"按{label}的数字（表格）"):
            st.dataframe(frame, hide_index=True, width="stretch")
    st.markdown("**最常见的不合格项目**")
    items = pd.DataFrame(stats["items"], columns=["不合格项目", "批次"])
    if items.empty:
        st.info("所选范围内没有不合格批次。")
    else:
        st.altair_chart(count_chart(items, "不合格项目", "批次"), width="stretch")
        with st.expander("不合格项目（表格）"):
            st.dataframe(items, hide_index=True, width="stretch")
    st.caption(f"数据更新至 {cn_date(stats['data_date'])}。")

with tab_download:
    st.markdown("下载当前查询条件下的抽检结果（最多 50,000 行）。表格列固定，说明见下方。")
    if st.button("准备下载文件", icon=":material/download:"):
        with ctx.db.read() as session:
            frame = pd.DataFrame(queries.export_rows(session, flt),
                                 columns=[c for c, _ in EXPORT_COLUMNS])
            as_of = queries.data_date(session) or date.today()
        download_buttons(frame, "sampling", "抽检结果", as_of, EXPORT_COLUMNS, SPEC_VERSION,
                         [disclaimer()] + (["演示数据：不是真实抽检结果"] if demo else []))
        st.caption(f"共 {len(frame):,} 行，数据日期 {cn_date(as_of)}。")
    with st.expander(f"列说明（规范版本 {SPEC_VERSION}）"):
        st.table(pd.DataFrame(EXPORT_COLUMNS, columns=["列名", "含义"]).set_index("列名"))
    st.caption("以“=、+、-、@”开头的单元格在下载文件中前面加了单引号，防止被电子表格当作公式执行。")
