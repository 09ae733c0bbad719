"""快检登记 (tester): a room's bookings of a day, and the result of each sample brought."""
import streamlit as st

from portal.i18n import day
from portal.test_rooms import actions, queries
from portal.test_rooms.models import BOOKED, NO_SHOW, RESULT_LABELS, STATUS_LABELS, TESTED
from portal.timeutil import local_today
from portal.ui.layout import page_setup
from portal.ui.widgets import md, run_action

ctx = page_setup("快检登记", role="tester", layout="wide")
LABELS = {"result": "检测结果", "items": "检测项目", "note": "说明", "booking": "预约"}
st.title("快检登记", anchor=False)
st.caption("按预约核对来人和样品后检测，再在这里登记结果；市民凭预约码即可看到。初筛阳性请在说明中写明已告知的处理建议，"
           "并按规定通知属地市场监管所对来源抽样复核。预约日期当天及以后才能登记。")
with ctx.db.read() as session:
    rooms = queries.staffed_rooms(session, ctx.actor, ctx.profile.adcode)
if not rooms:
    st.info("您的账号还没有分配到快检室。请数据发布人员在“快检室管理”中把您设为检测人员。")
    st.stop()
left, right = st.columns([2, 1])
room = left.selectbox("快检室", rooms, format_func=lambda r: r.name)
chosen_day = right.date_input("日期", value=local_today(), max_value=local_today())
with ctx.db.read() as session:
    day_list = queries.day_bookings(session, room.id, chosen_day)
st.markdown(f"**{md(room.name)}** {day(chosen_day)}：共 {sum(b.seat is not None for b in day_list)} 个预约")
if not day_list:
    st.info("这一天没有预约。")
choices = [*RESULT_LABELS, NO_SHOW]
names = {**RESULT_LABELS, NO_SHOW: "未到场"}
for booking in day_list:
    with st.container(border=True):
        st.markdown(f"**{booking.slot}**　送检：{md(booking.food)}　"
                    f"预约人：{booking.phone_masked or '（已删除）'}　状态：**{STATUS_LABELS[booking.status]}**"
                    + (f"　结果：**{RESULT_LABELS[booking.result]}**" if booking.result else ""))
        if booking.status not in (BOOKED, TESTED, NO_SHOW):
            continue
        with st.form(f"result_{booking.id}"):
            first = room.tests.splitlines()[0] if room.tests else ""
            result = st.radio("检测结果", choices, format_func=names.get, horizontal=True,
                              index=choices.index(booking.result or NO_SHOW) if booking.status != BOOKED else None)
            items = st.text_input("检测项目", value=booking.items or first[:200], max_chars=200)
            note = st.text_input("说明（可选）", value=booking.result_note or "", max_chars=500)
            if st.form_submit_button("登记结果" if booking.status == BOOKED else "更正结果"):
                run_action(ctx, actions.record_result, booking.id,
                           {"result": result or "", "items": items, "note": note},
                           labels=LABELS, done=f"已登记：{booking.slot} {booking.food}", rerun=True)
