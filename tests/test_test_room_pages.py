"""快检室 through the pages (AppTest): a citizen finds a room, verifies a phone, books a slot
and gets a code; the room's official records the result on 快检登记; the citizen reads it by
the code. Hostile text from the rooms' list and from the citizen is shown inert."""
from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from helpers.db import app_db
from helpers.pages import demo_password, open_page, sign_in, texts
from helpers.test_rooms import inside
from portal.accounts.models import Official
from portal.test_rooms import actions as room_actions
from portal.accounts.rules import cli_actor
from portal.registry.profiles import load_profile
from portal.test_rooms.importer import import_rooms
from portal.test_rooms.models import RoomBooking, TestRoom
from portal.timeutil import local_today
from portal.ui.widgets import md
from test_markdown_escaping import ADDRESS, DIRECTIVES, LINK, REASON, assert_inert
from test_round_pages import _verify

ROOM = f"永定区{LINK}快检室"
FOOD = f"{LINK}豇豆"          # within the form's 60 characters


def import_hostile_room(app_env) -> int:
    profile = load_profile("zhangjiajie")
    lat, lng = inside(SimpleNamespace(profile=profile))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["快检室名称", "地址", "所属区县", "纬度", "经度", "开放时间", "检测项目", "联系电话",
                     "开放日", "预约时段", "每时段名额"])
    writer.writerow([ROOM, ADDRESS, "永定区", lat, lng, f"每天 8:00-17:00 {DIRECTIVES}", REASON,
                     "0744-8000000", "1-7", "09:00-10:00,10:00-11:00", 2])
    with app_db(app_env).write() as session:
        report = import_rooms(session, cli_actor("test"), out.getvalue().encode(), "rooms.csv", profile)
    assert report.imported == 1, report.errors
    with app_db(app_env).read() as session:
        return session.scalar(select(TestRoom.id).where(TestRoom.name == ROOM))


def open_room(room_id: int):
    at = open_page("streamlit_app.py")
    at.switch_page("pages/test_rooms.py")
    at.query_params["room"] = str(room_id)
    return at.run()


def test_a_citizen_books_the_room_records_and_the_code_shows_the_result(app_env):
    room_id = import_hostile_room(app_env)
    listing = open_page("pages/test_rooms.py")
    assert "快检室名录" in texts(listing) and "初步筛查" in texts(listing)
    assert_inert(listing, ROOM, ADDRESS, REASON)

    at = open_room(room_id)
    assert at.title[0].value == md(ROOM)
    at = _verify(at, "13912340000")
    assert not at.exception, at.exception
    assert "已验证 139****0000" in texts(at)
    at.text_input(key="room_food").input(FOOD)
    next(b for b in at.button if b.label == "确认预约").click()
    at.run()
    assert not at.exception, at.exception
    assert "预约成功" in texts(at)
    code = at.code[0].value
    assert code.startswith("KJ-")
    assert_inert(at, ROOM, FOOD)

    # The day comes (the booking was for the first free slot, perhaps tomorrow).
    with app_db(app_env).write() as session:
        booking = session.scalar(select(RoomBooking).where(RoomBooking.room_id == room_id))
        booking.day = local_today()
        # The publisher has made the demo tester one of the new room's staff (快检室管理).
        tester = session.scalar(select(Official.id).where(Official.username == "demo_tester"))
        room_actions.set_staff(session, cli_actor("test"), room_id, [tester])

    desk = open_page("pages/login.py")
    sign_in(desk, "demo_tester", demo_password(app_env, "demo_tester"))
    desk.switch_page("pages/test_room_results.py").run()
    assert not desk.exception, desk.exception
    room_box = desk.selectbox[0]
    room_box.select_index(room_box.options.index(next(o for o in room_box.options if LINK in o)))
    desk.run()
    desk.radio[0].set_value("positive")
    next(b for b in desk.button if b.label == "登记结果").click()
    desk.run()
    assert not desk.exception, desk.exception
    with app_db(app_env).read() as session:
        assert session.scalar(select(RoomBooking.result).where(RoomBooking.room_id == room_id)) == "positive"

    citizen = open_page("pages/test_rooms.py")
    citizen.text_input[0].input(code.lower().replace("-", " "))
    next(b for b in citizen.button if b.label == "查询").click()
    citizen.run()
    assert not citizen.exception, citizen.exception
    shown = texts(citizen)
    assert "初筛阳性" in shown and "不是法定检验结论" in shown
    assert_inert(citizen, ROOM, FOOD)


def test_a_wrong_code_says_so_and_the_demo_code_works(app_env):
    at = open_page("pages/test_rooms.py")
    demo = next(c.value for c in at.caption if "演示预约码" in c.value)
    code = demo.split("演示预约码 ")[1].split(" ")[0]
    at.text_input[0].input("KJ-2222-2222-22")
    next(b for b in at.button if b.label == "查询").click()
    at.run()
    assert "没有找到这个预约码" in texts(at)
    at.text_input[0].input(code)
    next(b for b in at.button if b.label == "查询").click()
    at.run()
    assert "检测结果" in texts(at) and "演示数据" in texts(at)


@pytest.mark.parametrize("lang", ["en"])
def test_the_page_speaks_english(app_env, lang):
    at = open_page("pages/test_rooms.py", {"lang": lang})
    assert not at.exception
    assert "Testing rooms" in texts(at)
