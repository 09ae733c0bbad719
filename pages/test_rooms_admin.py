"""快检室管理 (publisher): import the list of testing rooms, or add and correct one by hand."""
import hashlib

import pandas as pd
import streamlit as st

from portal.tables import MAX_BYTES
from portal.test_rooms import actions, queries
from portal.test_rooms.importer import import_rooms
from portal.test_rooms.rules import MAX_CAPACITY, weekdays_text
from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.widgets import md, run_action

ctx = page_setup("快检室管理", role="publisher", layout="wide")
LABELS = {"name": "快检室名称", "address": "地址", "district": "所属区县", "lat": "纬度", "lng": "经度",
          "hours": "开放时间", "tests": "检测项目", "phone": "联系电话", "weekdays": "开放日",
          "slots": "预约时段", "capacity": "每时段名额", "note": "说明", "room": "快检室"}
st.title("快检室管理", anchor=False)
st.caption("快检室名录公开在“快检室”页面和“餐饮地图”上，市民据此预约送检。坐标请用 WGS-84 经纬度；"
           "开放日写“周一至周五”或“1-5”；预约时段写“09:00-10:00,10:00-11:00”。")
with ctx.db.read() as session:
    rooms = queries.rooms(session, ctx.profile.adcode, active_only=False)
districts = {d.adcode: d.name for d in ctx.profile.districts}
tab_list, tab_import, tab_form = st.tabs(["名录", "导入名录", "登记或修改"])

with tab_list:
    if not rooms:
        st.info("还没有快检室。请导入名录或逐个登记。")
    st.dataframe(pd.DataFrame([{"名称": r.name, "区县": districts.get(r.district_adcode, r.district_adcode),
                                "地址": r.address, "开放时间": r.hours, "可预约": weekdays_text(r.weekdays),
                                "时段": r.slots, "名额": r.capacity, "状态": "开放预约" if r.active else "暂停",
                                "演示": "是" if r.is_demo else ""} for r in rooms]),
                 hide_index=True, width="stretch")
    if rooms:
        chosen = st.selectbox("暂停或恢复预约", rooms, format_func=lambda r: r.name, key="toggle_room")
        label = "暂停预约" if chosen.active else "恢复预约"
        if st.button(label, key="toggle_button"):
            run_action(ctx, actions.set_active, chosen.id, not chosen.active, labels=LABELS,
                       done=f"已{label}：{chosen.name}", rerun=True)
        st.subheader("检测人员", anchor=False)
        st.caption("只有这里选定的“快检室检测”账号可以登记这个快检室的结果（管理员可登记所有快检室）。")
        with ctx.db.read() as session:
            tester_names = queries.testers(session)
            current = [i for i in queries.staff_of(session, chosen.id) if i in tester_names]
        with st.form(f"staff_{chosen.id}"):
            staff = st.multiselect(f"{chosen.name}的检测人员", list(tester_names), default=current,
                                   format_func=tester_names.get, placeholder="选择账号")
            if st.form_submit_button("保存检测人员"):
                run_action(ctx, actions.set_staff, chosen.id, staff, labels={**LABELS, "staff": "检测人员"},
                           done=f"已保存{chosen.name}的检测人员", rerun=True)

with tab_import:
    st.caption("表格需要的列：快检室名称、地址、所属区县、经度、纬度、开放时间、检测项目、联系电话、开放日、预约时段、"
               "每时段名额，可选备注。列名可以是常见的不同叫法，表头上方可以有标题行。按名称识别同一个快检室："
               "同一文件重复导入不会产生重复记录。")
    upload = st.file_uploader("表格文件（.xlsx、.xls 或 .csv）", type=["xlsx", "xls", "csv"],
                              help=f"单个文件不超过 {MAX_BYTES // 1024 // 1024} MB。")
    if upload is not None:
        data = upload.getvalue()
        key = hashlib.sha256(data).hexdigest()
        if st.session_state.get("rooms_trial_key") != key:
            with ctx.db.write() as session:
                st.session_state["rooms_trial"] = import_rooms(session, ctx.actor, data, upload.name,
                                                               ctx.profile, dry_run=True)
            st.session_state["rooms_trial_key"] = key
        trial = st.session_state["rooms_trial"]
        if trial.refused:
            st.error(f"无法导入这个文件：{md(trial.refused)}")
        else:
            c1, c2, c3, c4 = st.columns(4)
            c1.metric("数据行", trial.rows)
            c2.metric("新增", trial.imported)
            c3.metric("更正已有的", trial.updated)
            c4.metric("有问题（不会导入）", trial.rejected)
            if trial.errors:
                st.dataframe(pd.DataFrame([{"行号": e["row"], "列": e["column"], "问题": e["message"]}
                                           for e in trial.errors]), hide_index=True, width="stretch")
            if trial.imported + trial.updated == 0:
                st.warning("没有需要导入的新数据。")
            elif st.button(f"确认导入（新增 {trial.imported}，更正 {trial.updated}）", type="primary"):
                with ctx.db.write() as session:
                    report = import_rooms(session, ctx.actor, data, upload.name, ctx.profile)
                cached.clear()
                st.session_state.pop("rooms_trial_key", None)
                st.success(f"已导入：新增 {report.imported}，更正 {report.updated}，"
                           f"{report.rejected} 行有问题未导入。")

with tab_form:
    editing = st.selectbox("要修改的快检室（不选则新增）", [None, *rooms],
                           format_func=lambda r: "（新增一个快检室）" if r is None else r.name, key="edit_room")
    with st.form("room_form"):
        name = st.text_input("快检室名称", value=editing.name if editing else "", max_chars=100)
        address = st.text_input("地址", value=editing.address if editing else "", max_chars=200)
        codes = list(districts)
        district = st.selectbox("所属区县", codes, format_func=districts.get,
                                index=codes.index(editing.district_adcode) if editing else 0)
        left, right = st.columns(2)
        lat = left.number_input("纬度（WGS-84）", value=editing.lat if editing else ctx.profile.centre[0],
                                format="%.6f", step=0.0001)
        lng = right.number_input("经度（WGS-84）", value=editing.lng if editing else ctx.profile.centre[1],
                                 format="%.6f", step=0.0001)
        hours = st.text_input("开放时间", value=editing.hours if editing else "", max_chars=200,
                              placeholder="如：周一至周五 8:30-11:30，14:30-17:00")
        tests = st.text_area("检测项目（每行一项）", value=editing.tests if editing else "", max_chars=1000)
        phone = st.text_input("联系电话", value=(editing.phone or "") if editing else "", max_chars=40)
        left, middle, right = st.columns(3)
        weekdays = left.text_input("开放日", value=editing.weekdays if editing else "1-5", max_chars=30)
        slots = middle.text_input("预约时段", value=editing.slots if editing else "09:00-10:00,10:00-11:00",
                                  max_chars=300)
        capacity = right.number_input("每时段名额", min_value=1, max_value=MAX_CAPACITY,
                                      value=editing.capacity if editing else 6)
        note = st.text_area("说明（可选）", value=(editing.note or "") if editing else "", max_chars=500)
        if st.form_submit_button("保存", type="primary"):
            data = {"name": name, "address": address, "district": district, "lat": lat, "lng": lng,
                    "hours": hours, "tests": tests, "phone": phone, "weekdays": weekdays,
                    "slots": slots, "capacity": capacity, "note": note}
            run_action(ctx, lambda s, a: actions.save_room(s, a, data, ctx.profile,
                                                           editing.id if editing else None),
                       labels=LABELS, done=f"已保存：{name}", rerun=True)
