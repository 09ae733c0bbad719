"""附近 on the map page: the place box above the map and the list of the nearest businesses
under it. The list is plain links and text, so it works by keyboard and with a screen reader,
without the map."""
from __future__ import annotations

import streamlit as st

from portal.i18n import N_, aside, t
from portal.ratings.nearby import Nearby
from portal.ratings.rules import rules
from portal.ui.i18n_views import term
from portal.ui.widgets import md
from portal.ui.page_links import page_link

HERE = "map_here"            # (lat, lng, what it is) of the point the list is measured from
FOCUS = "map_focus"          # a typed place the map should move to
SEEN_CLICK = "map_seen_click"
PLACE_KINDS = {"business": N_("“{label}”的位置"), "address": N_("地址含“{label}”的 {n} 家单位的中间位置"),
               "district": N_("{label}的中心"), "tapped": N_("您定位或在地图上点的位置")}


def distance_text(metres: float) -> str:
    if metres < 1000:
        return t("约 {m} 米", m=max(10, int(round(metres, -1))))
    return t("约 {km} 公里", km=f"{metres / 1000:.1f}")


def grade_text(item: Nearby) -> str:
    """Face, word and letter, as on the door sticker (never colour alone)."""
    if item.rating is None:
        return t("不参加量化分级（{sector}）", sector=md(term(item.business.sector_label)))
    rating = item.rating.rating
    if not rating.dynamic:
        text = t("暂不评级")
    else:
        text = f"{rules()['face_icons'][rating.dynamic]} **{t(rating.dynamic)}**" + aside(t(rating.face))
    return text + " · " + t("年度等级 {letter}", letter=rating.annual or "—")


def nearby_list(items: list[Nearby], here_text: str) -> None:
    st.subheader(t("离这里最近的单位"), anchor=False)
    st.caption(t("从{place}量起的直线距离。", place=here_text))
    if not items:
        st.info(t("这附近没有符合条件的单位。请放宽地图的筛选条件。"))
    for item in items:
        with st.container(border=True):
            page_link("pages/business.py", label=f"**{md(item.business.name)}**",
                      query_params={"id": str(item.business.id)})
            st.markdown(f"{distance_text(item.metres)} · {md(term(item.business.business_type))} · "
                        f"{grade_text(item)}  \n{md(item.business.address)}")
