"""The rating card of a business: face, word and letter (never colour alone), freshness,
明厨亮灶 with its stream link, and the inspection history."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from portal.ratings.queries import BusinessRating
from portal.ratings.rules import rules
from portal.timeutil import cn_date, local_today, months_since
from portal.ui.widgets import md


def rating_card(data: BusinessRating) -> None:
    r = rules()
    rating = data.rating
    with st.container(border=True):
        st.markdown("**餐饮服务食品安全量化分级**")
        left, right = st.columns(2)
        if rating.dynamic:
            left.markdown(f"### {r['face_icons'][rating.dynamic]} {rating.face}\n动态等级：**{rating.dynamic}**")
        else:
            left.markdown(f"### 暂不评级\n{rating.no_grade_reason}")
        right.markdown(f"### {rating.annual or '—'}\n年度等级（近 12 个月）")
        if rating.last_inspected_on:
            ago = months_since(rating.last_inspected_on, local_today())
            text = f"最近一次检查：{cn_date(rating.last_inspected_on)}（{'本月' if ago <= 0 else f'{ago} 个月前'}）"
            if rating.stale:
                st.warning(text + f"。已超过 {r['stale_months']['value']} 个月，等级可能已不反映现状。")
            else:
                st.caption(text)
        kitchen = data.kitchen
        if kitchen and kitchen.kind != "无":
            st.markdown(f"明厨亮灶：**{md(kitchen.kind)}**")
            if kitchen.stream_url and kitchen.stream_url.startswith("https://"):
                st.link_button("观看后厨直播", kitchen.stream_url, icon=":material/videocam:")
            elif kitchen.kind == "互联网+明厨亮灶":
                st.caption("直播地址尚未登记。")
        else:
            st.markdown("明厨亮灶：未实行")
        with st.expander("什么是量化分级？"):
            st.markdown("市场监管部门每次检查餐饮单位后给出**动态等级**：优秀（大笑脸）、良好（微笑脸）、"
                        "一般（平脸）；**年度等级** A、B、C 按近 12 个月的检查结果评定。"
                        "新开业 3 个月内、发生食品安全事故后 6 个月内不评定动态等级。")
            st.caption(r["dynamic_cutoffs"]["source"] + " " + r["annual_cutoffs"]["source"])
        if data.history:
            with st.expander(f"检查记录（{len(data.history)} 次）"):
                st.table(pd.DataFrame([{
                    "检查日期": cn_date(d), "评分": f"{s:.1f}",
                    "动态等级": f"{g}（{r['faces'][g]}）" if g else "不予评级"}
                    for d, s, g in data.history]).set_index("检查日期"))
