"""满意度统计 (analyst): scores with intervals, by group and over time, weighting explained,
free-text answers, and complaint handling beside them; every table exportable."""
import pandas as pd
import streamlit as st

from portal.surveys import dashboard, stats
from portal.surveys.definition import current_survey
from portal.surveys.textmask import top_terms
from portal.timeutil import cn_date
from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.survey_views import (chart, dont_know_frame, estimate_frame, estimate_text,
                                    table_downloads)
from portal.ui.widgets import demo_notice, md
from portal.ui.page_links import page_link

ctx = page_setup("满意度统计", role="analyst", layout="wide")
survey = current_survey(ctx.settings)
names = cached.district_names(ctx)
populations = {d.adcode: d.population for d in ctx.profile.districts}
target = survey.target
st.title("食品安全满意度统计", anchor=False)
st.caption(f"{survey.title}（{survey.version}），调查期 {cn_date(survey.period.from_)}–{cn_date(survey.period.to)}；"
           f"目标 {target:g} 分。")


@st.cache_data(ttl=60, show_spinner="正在计算…")
def figures(url: str, key: str):
    with ctx.db.read() as session:
        return dashboard.figures(session, survey, populations)


data = figures(ctx.db.url, survey.key)
overview = data["overview"]
demo_notice(overview.demo)
if not overview.responses:
    st.info("本期调查还没有人提交问卷。")
    st.stop()

weighted = st.toggle("按区县常住人口加权（事后分层）", value=True)
main, other = (overview.weighted, overview.overall) if weighted else (overview.overall, overview.weighted)
c1, c2, c3 = st.columns(3)
c1.metric("总体满意度" + ("（加权）" if weighted else "（未加权）"), f"{main.mean:.1f}",
          delta=f"{main.mean - target:+.1f} 对比目标 {target:g}", delta_color="normal")
c2.metric("95% 置信区间", f"{main.low:.1f}–{main.high:.1f}" if main.half_width is not None else "—")
c3.metric("有效问卷", f"{overview.responses:,} 份")
st.caption(("未加权" if weighted else "加权") + f"得分：{estimate_text(other)}。")
with st.expander("计算方法", expanded=False):
    st.markdown(f"- **计分**：{survey.scoring.method}\n"
                f"- **维度权重**：" + "，".join(f"{d.label} {d.weight:g}" for d in survey.scoring.dimensions) + "\n"
                "- **置信区间**：正态近似，均值 ± 1.96 × 标准差 ÷ √n。\n"
                "- **加权（事后分层）**：各区县样本量与人口不成比例时（如每个区县定额 200 份），"
                "按各区县常住人口占比加权：加权均值 = Σ 人口占比 × 区县均值；方差 = Σ 人口占比² × 区县方差 ÷ 区县样本量。"
                "只有 1 份问卷的区县不计方差项。\n"
                f"- **人口数据**：{ctx.profile.population_source}{ctx.profile.population_note}\n"
                f"- 依据：{survey.scoring.source}")

tab_dims, tab_groups, tab_trend, tab_text, tab_complaints = st.tabs(
    ["各维度", "分组", "趋势", "意见与建议", "投诉举报处理"])
with tab_dims:
    dims = {survey.dimension_label(d.id): data["dimensions"][d.id]
            for d in survey.scoring.dimensions if d.id in data["dimensions"]}
    frame = estimate_frame(dims, "维度")
    chart("bars", frame, "维度", target)
    st.dataframe(frame, hide_index=True, width="stretch")
    table_downloads(frame, "satisfaction_dimensions", "各维度", [f"问卷：{survey.title} {survey.version}"])
    st.subheader(f"“{survey.dont_know}”：单独统计，不计入得分", anchor=False)
    unknown = dont_know_frame(survey, data["dont_know"], overview.responses)
    st.caption(f"每道评分题都可以选“{survey.dont_know}”。这样的回答不计入题目所在维度的得分和总分，"
               f"只在这里计数；占比的分母是全部 {overview.responses:,} 份问卷（每份问卷都看到每道题）。"
               f"共 {int(unknown['人数'].sum()):,} 人次。")
    st.dataframe(unknown, hide_index=True, width="stretch",
                 column_config={"占比（%）": st.column_config.NumberColumn(format="%.1f")})
    table_downloads(unknown, "satisfaction_dont_know", "不了解说不清",
                    [f"“{survey.dont_know}”的回答不计入得分；占比 = 人数 ÷ 全部问卷"])
with tab_groups:
    fields = {f.id: f.label.removeprefix("您的").removeprefix("您") for f in survey.profile}
    field = st.selectbox("分组方式", list(fields), format_func=lambda f: fields[f] or f)
    rows = data["profiles"][field]
    frame = estimate_frame(dict(sorted(rows.items(), key=lambda kv: str(kv[0]))), "分组", names)
    chart("bars", frame, "分组", target)
    st.dataframe(frame, hide_index=True, width="stretch")
    if field == "district":
        st.caption("区县人口（加权用）：" + "，".join(f"{names.get(a, a)} {p:,}" for a, p in populations.items()))
    table_downloads(frame, f"satisfaction_by_{field}", "分组", [f"分组：{fields[field]}"])
with tab_trend:
    period = st.segmented_control("按", ["月", "季度"], default="月", key="trend_period") or "月"
    rows = data["months"] if period == "月" else data["quarters"]
    frame = estimate_frame(rows, "时间")
    chart("trend", frame, "时间", target)
    st.dataframe(frame, hide_index=True, width="stretch")
    table_downloads(frame, f"satisfaction_by_{'month' if period == '月' else 'quarter'}", "趋势",
                    ["未加权月度（季度）得分"])
with tab_text:
    keyword = st.text_input("搜索意见和建议", max_chars=30, placeholder="如：外卖、食堂、农药")
    if keyword.strip():
        with ctx.db.read() as session:
            total, texts = stats.text_answers(session, survey.key, keyword, limit=500)
    else:
        total, texts = data["comments"]
    st.caption(f"共 {total:,} 条" + (f"包含“{md(keyword.strip())}”" if keyword.strip() else "") +
               "，显示最新的 500 条。电话号码和身份证号在保存时已隐去。")
    frame = pd.DataFrame([{"日期": cn_date(d), "内容": t} for d, t in texts], columns=["日期", "内容"])
    st.dataframe(frame, hide_index=True, width="stretch")
    table_downloads(frame, "satisfaction_comments", "意见与建议", ["个人信息已隐去"])
    if st.toggle("统计高频词（jieba 分词，按上面显示的意见计算）"):
        terms = pd.DataFrame(top_terms([t for _, t in texts], 20), columns=["词语", "出现条数"])
        st.bar_chart(terms, x="词语", y="出现条数", horizontal=True, sort="-出现条数")
        st.dataframe(terms, hide_index=True)
with tab_complaints:
    c = data["complaints"]
    st.markdown("问卷中对投诉举报处理的评价，与同期实际办理情况和办结后群众的评价对照：")
    items = {survey.question(k.removeprefix("item:")).text: e
             for k, e in data["dimensions"].items() if k.startswith("item:")}
    for text, est in items.items():
        st.metric(f"问卷：{text}", "—" if est.mean is None else f"{est.mean:.1f} 分",
                  help=estimate_text(est))
    left, right, third = st.columns(3)
    left.metric("同期收到投诉举报", f"{c.received:,} 件")
    right.metric("办结率 / 按期办结率", f"{c.finish_rate or 0:.1f}% / {c.on_time_rate or 0:.1f}%")
    third.metric("办结后评价满意度", f"{c.satisfaction or 0:.1f}%", help=f"{c.rated:,} 条评价")
    page_link("pages/complaint_stats.py", label="查看投诉举报办理公开数据", icon=":material/monitoring:")
