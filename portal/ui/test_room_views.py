"""Drawing for 快检室: a room's card, a booking's status and result."""
from __future__ import annotations

import streamlit as st

from portal.i18n import N_, aside, day, t
from portal.test_rooms.models import (BOOKED, NO_SHOW, POSITIVE, RESULT_LABELS, STATUS_LABELS,
                                      TESTED)
from portal.test_rooms.rules import weekdays_text
from portal.ui.widgets import md
from portal.ui.page_links import page_link

HELP = N_("快检室用快速检测方法（如酶抑制率法、胶体金试纸），当场检测市民送来的食品中常见的农药残留、"
          "瘦肉精、甲醛、二氧化硫等，免费，一般半小时左右出结果。先在本页预约时段，再按时带上样品前往；"
          "凭预约码可在本页查看结果。")
SCREENING = N_("快检结果是初步筛查，不是法定检验结论。初筛阳性的食品建议停止食用，快检室会通知属地市场监管部门"
               "对来源抽样送实验室复核；如需维权，请保留购物凭证并拨打 12315。")
BRING = N_("送检须知：每种食品带约 200 克（蔬菜不要清洗、不要切），按预约时段到达；一次预约可检一种食品。")
BOOKING_INTRO = N_("预约需要验证手机号，以免名额被恶意占满。号码只以加密散列保存，用于“我的预约”和防止重复预约，"
                   "不会公开；预约日期过后 {days} 天自动删除。")


def room_card(room, district_name: str, with_link: bool = True) -> None:
    with st.container(border=True):
        if with_link:
            page_link("pages/test_rooms.py", label=f"**{md(room.name)}**",
                      query_params={"room": str(room.id)}, icon=":material/biotech:")
        st.markdown(f":material/location_on: {md(room.address)}" + aside(md(district_name)))
        st.markdown(f":material/schedule: {md(room.hours)}"
                    + aside(t("可预约：{days}", days=weekdays_text(room.weekdays, t))))
        if room.phone:
            st.markdown(f":material/call: {md(room.phone)}")
        st.caption(t("检测项目：") + "；".join(md(line) for line in room.tests.splitlines() if line.strip()))


def booking_status(booking, room_name: str) -> None:
    """What a booker sees under their code: the slot, the status and, once recorded, the result."""
    with st.container(border=True):
        st.markdown(f"**{md(room_name)}**　{day(booking.day)} {booking.slot}")
        st.markdown(t("送检食品：{food}", food=md(booking.food)))
        st.markdown(t("状态：**{status}**", status=t(STATUS_LABELS[booking.status])))
        if booking.status == TESTED:
            text = t(RESULT_LABELS[booking.result])
            line = t("检测结果：**{result}**", result=text) + (aside(md(booking.items)) if booking.items else "")
            if booking.result == POSITIVE:
                st.error(line, icon=":material/warning:")
                st.markdown(t(SCREENING))
            else:
                st.success(line, icon=":material/check_circle:")
            if booking.result_note:
                st.text(booking.result_note)
        elif booking.status == BOOKED:
            st.info(t("请按时带上样品前往。检测完成后，用预约码在本页查看结果。"))
        elif booking.status == NO_SHOW:
            st.caption(t("快检室登记为未到场。如有需要，请重新预约。"))
