"""The rating card of a business: face, word and letter (never colour alone), freshness,
明厨亮灶 with its stream link, and the inspection history."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from portal.maps import LEGEND_COLOURS
from portal.ratings.queries import BusinessRating
from portal.ratings.rules import rules
from portal import i18n
from portal.i18n import aside, both, field, t
from portal.timeutil import local_today, months_since
from portal.ui.widgets import localise, md


def reply_note(text: str, received_on) -> None:
    """The business's own reply on its grade (moderated before it is shown), beside the grade."""
    body = "  \n".join(md(line) for line in text.splitlines() if line.strip())
    st.info(f"**{t('商户对等级的回应')}**{aside(t('{day}收到，经审核后公开', day=i18n.day(received_on)))}  \n{body}",
            icon=":material/forum:")


def rating_card(data: BusinessRating) -> None:
    """As on the sticker at the door: the face and the word large, the annual letter beside
    them, and the date of the inspection they come from."""
    r = rules()
    rating = data.rating
    with st.container(border=True):
        st.markdown("**" + t("餐饮服务食品安全量化分级") + "**", text_alignment="center")
        face, letter = st.columns([3, 2], vertical_alignment="center")
        if rating.dynamic:
            colour = LEGEND_COLOURS.get(rating.dynamic, "gray")
            face.markdown(f"# :{colour}[{r['face_icons'][rating.dynamic]} {t(rating.dynamic)}]",
                          anchors=False, text_alignment="center")
            face.markdown(t("动态等级") + aside(t(rating.face)), text_alignment="center")
        else:
            face.markdown(f"# :gray[:material/hourglass_empty: {t('暂不评级')}]",
                          anchors=False, text_alignment="center")
            face.markdown(localise(rating.no_grade_reason), text_alignment="center")
        letter.markdown(f"# {rating.annual or '—'}", anchors=False, text_alignment="center")
        letter.markdown(t("年度等级（近 12 个月）") if rating.annual else t("暂无年度等级"),
                        text_alignment="center")
        if rating.last_inspected_on:
            ago = months_since(rating.last_inspected_on, local_today())
            when = t("本月") if ago <= 0 else t("{n} 个月前", n=ago)
            st.markdown(field("检查日期") + f"**{i18n.day(rating.last_inspected_on)}**" + aside(when),
                        text_alignment="center")
            if rating.stale:
                st.warning(t("最近一次检查已超过 {n} 个月，等级可能已不反映现状。",
                             n=r['stale_months']['value']))
        kitchen = data.kitchen
        if kitchen and kitchen.kind != "无":
            st.markdown(f"{field('明厨亮灶')}**{md(t(kitchen.kind))}**")
            if kitchen.stream_url and kitchen.stream_url.startswith("https://"):
                st.link_button(t("观看后厨直播"), kitchen.stream_url, icon=":material/videocam:")
            elif kitchen.kind == "互联网+明厨亮灶":
                st.caption(t("直播地址尚未登记。"))
        else:
            st.markdown(f"{field('明厨亮灶')}{t('未实行')}")
        with st.expander(t("什么是量化分级？")):
            st.markdown(t("市场监管部门每次检查餐饮单位后给出**动态等级**：优秀（大笑脸）、良好（微笑脸）、"
                          "一般（平脸）；**年度等级** A、B、C 按近 12 个月的检查结果评定。"
                          "新开业 3 个月内、发生食品安全事故后 6 个月内不评定动态等级。"))
        if data.history:
            with st.expander(t("检查记录（{n} 次）", n=len(data.history))):
                st.table(pd.DataFrame([{
                    both("检查日期"): i18n.day(d), both("评分"): f"{s:.1f}",
                    both("动态等级"): t(g) + aside(t(r['faces'][g])) if g else t("不予评级")}
                    for d, s, g in data.history]).set_index(both("检查日期")))
