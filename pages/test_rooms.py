"""快检室: where citizens can have food tested, booking a slot, and the result by booking code."""
import streamlit as st

from portal.i18n import N_, day, t
from portal.meta import get_meta
from portal.test_rooms import booking as bookings
from portal.test_rooms import queries
from portal.test_rooms.models import BOOKED, TestRoom
from portal.test_rooms.rules import WEEKDAY_NAMES
from portal.timeutil import local_today, to_local, utcnow
from portal.ui import cached
from portal.ui.clients import current_client
from portal.ui.i18n_views import district_labels
from portal.ui.layout import page_setup
from portal.ui.test_room_views import (BOOKING_INTRO, BRING, HELP, SCREENING, booking_status,
                                       room_card)
from portal.ui.verify import forget, verify_phone
from portal.ui.widgets import demo_notice, id_param, md, show_address, show_errors
from portal.validation import InputError
from portal.ui.page_links import page_link

ctx = page_setup("快检室", english=True)
LABELS = {"room": N_("快检室"), "slot": N_("预约时段"), "food": N_("送检食品"), "limit": N_("次数"),
          "booking": N_("预约"), "code": N_("预约码")}
FOUND, BOOKED_CODE = "room_booking_found", "room_booking_code"
names = district_labels(ctx)
room_id = id_param(st.query_params, "room")


def lookup_section() -> None:
    st.subheader(t("查询送检结果"), anchor=False)
    found_id = st.session_state.get(FOUND)
    if found_id is None:
        with st.form("room_lookup"):
            code = st.text_input(t("预约码"), max_chars=24, placeholder=t("如 KJ-2345-ABCD-EF"))
            go = st.form_submit_button(t("查询"), icon=":material/search:")
        if go:
            try:
                with ctx.db.write() as session:   # lookups are counted
                    found = bookings.find(session, ctx.settings.secret_key, code,
                                          current_client(ctx).address)
                    found_id = found.id if found else None
            except InputError as exc:
                show_errors(exc, LABELS)
                return
            if found_id is None:
                st.error(t("没有找到这个预约码，请核对后重试（字母不区分大小写，短横线可不输入）。"))
                return
            st.session_state[FOUND] = found_id
            st.rerun()
        with ctx.db.read() as session:
            example = get_meta(session, "demo_room_booking_example") if cached.demo_present(ctx) else None
        if example:
            st.caption(t("演示数据：可用演示预约码 {code} 体验查询（不是真实预约）。",
                         code=bookings.format_code(example)))
        return
    with ctx.db.read() as session:
        found = session.get(bookings.RoomBooking, found_id)
        room = session.get(TestRoom, found.room_id) if found else None
    if found is None or room is None:
        st.session_state.pop(FOUND, None)
        st.rerun()
    if found.is_demo:
        st.warning(t("演示数据：这是程序生成的演示预约，不是真实的送检结果。"), icon=":material/science:")
    booking_status(found, room.name)
    left, right = st.columns(2)
    if found.status == BOOKED and left.button(t("取消这个预约"), icon=":material/event_busy:"):
        try:
            with ctx.db.write() as session:
                bookings.cancel(session, session.get(bookings.RoomBooking, found_id))
        except InputError as exc:
            show_errors(exc, LABELS)
        else:
            st.toast(t("已取消预约，名额已释放"))
            st.rerun()
    if right.button(t("查询另一个"), icon=":material/logout:"):
        st.session_state.pop(FOUND, None)
        st.rerun()


if room_id is None:
    st.title(t("快检室"), anchor=False)
    st.markdown(t(HELP))
    st.caption(t(SCREENING))
    demo_notice(cached.demo_present(ctx))
    lookup_section()
    st.subheader(t("快检室名录"), anchor=False)
    left, right = st.columns([1, 2])
    district = left.selectbox(t("区县"), [""] + [d.adcode for d in ctx.profile.districts],
                              format_func=lambda c: names.get(c, t("全部区县")) if c else t("全部区县"))
    words = right.text_input(t("名称、地址或检测项目包含"), max_chars=30, placeholder=t("如：农药残留"))
    with ctx.db.read() as session:
        rooms = queries.rooms(session, ctx.profile.adcode, district=district, q=words.strip())
    st.caption(t("共 {n} 个快检室。在“餐饮地图”的筛选中勾选“快检室”，可在地图上查看它们的位置。", n=len(rooms)))
    if not rooms:
        st.info(t("没有符合条件的快检室。"))
    for room in rooms:
        room_card(room, names.get(room.district_adcode, room.district_adcode))
    st.stop()

with ctx.db.read() as session:
    room = session.get(TestRoom, room_id)
if room is None or not room.active:
    st.title(t("快检室"), anchor=False)
    st.warning(t("没有找到这个快检室，或它暂停接受预约。"))
    page_link("pages/test_rooms.py", label=t("全部快检室"), icon=":material/arrow_back:")
    st.stop()

show_address({"room": str(room_id)})
page_link("pages/test_rooms.py", label=t("全部快检室"), icon=":material/arrow_back:")
if room.is_demo:
    st.warning(t("演示数据：这个快检室由程序生成，仅用于演示。"), icon=":material/science:")
st.title(md(room.name), anchor=False)
room_card(room, names.get(room.district_adcode, room.district_adcode), with_link=False)
if room.note:
    st.text(room.note)

st.subheader(t("预约送检"), anchor=False)
st.markdown(t(BRING))
done = st.session_state.pop(BOOKED_CODE, None)
if done:
    st.success(t("预约成功：{day} {slot}。您的预约码是", day=done[1], slot=done[2]), icon=":material/event_available:")
    st.code(bookings.format_code(done[0]), language=None)
    st.markdown(t("**请记下或截图保存预约码**：到快检室时出示，检测完成后用它在本页“查询送检结果”查看结果。"
                  "预约码只显示这一次。"))
who = verify_phone(ctx, "room_booking", f"room{room_id}",
                   intro=t(BOOKING_INTRO, days=ctx.settings.test_room_retention_days))
if who:
    now_local = to_local(utcnow()).replace(tzinfo=None)
    with ctx.db.read() as session:
        slots = queries.open_slots(session, room, local_today(), now_local)
        mine = [b for b in bookings.my_bookings(session, who[0]) if b.room_id == room_id]
    st.success(t("已验证 {masked}", masked=who[1]))
    days = sorted({s.day for s in slots})
    if not days:
        st.info(t("这个快检室近两周没有可预约的时段。"))
    else:
        chosen_day = st.selectbox(t("日期"), days, format_func=lambda d: f"{day(d)} {t(WEEKDAY_NAMES[str(d.isoweekday())])}",
                                  key="room_day")
        free = [s for s in slots if s.day == chosen_day]
        with st.form("room_book"):
            slot = st.radio(t("时段"), [s.slot for s in free],
                            format_func=lambda v: v + "　" + next(
                                (t("余 {n} 个名额", n=s.left) if s.left else t("已约满")) for s in free if s.slot == v),
                            key="room_slot")
            food = st.text_input(t("送检食品"), max_chars=60, key="room_food",
                                 placeholder=t("如：豇豆、猪肉、水发鱿鱼"))
            if st.form_submit_button(t("确认预约"), type="primary", icon=":material/event_available:"):
                try:
                    with ctx.db.write() as session:
                        made = bookings.book(session, ctx.settings.secret_key, room_id, chosen_day,
                                             slot or "", who[0], who[1], {"food": food})
                except InputError as exc:
                    show_errors(exc, LABELS)
                else:
                    st.session_state[BOOKED_CODE] = (made.code, day(chosen_day), slot)
                    st.session_state.pop("room_food", None)
                    st.rerun()
    if mine:
        st.markdown("**" + t("我在这个快检室的预约") + "**")
        for b in mine[:10]:
            booking_status(b, room.name)
    if st.button(t("退出验证")):
        forget()
        st.rerun()
st.divider()
lookup_section()
