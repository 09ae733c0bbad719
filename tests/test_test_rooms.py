"""快检室: the rooms' import and form, booking a slot (capacity enforced by the database, also
under concurrent processes), the result by booking code, officials' results, retention and
the open-data endpoint; SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from benchmarks.booking_load import book_concurrently
from helpers.db import count_rows, official
from helpers.test_rooms import add_room, room_form, rooms_csv, tomorrow
from portal.accounts.models import AuditEntry
from portal.accounts.permissions import PermissionDenied
from portal.accounts.rules import cli_actor
from portal.api.app import create_api
from portal.personal import keyed_hash
from portal.ratelimit import RateCounter
from portal.test_rooms import actions, booking
from portal.test_rooms.importer import import_rooms
from portal.test_rooms.models import (BOOKED, CANCELLED, NEGATIVE, POSITIVE, TESTED, RoomBooking,
                                      TestRoom)
from portal.test_rooms.rules import parse_slots, parse_weekdays
from portal.timeutil import local_today
from portal.validation import InputError

HOSTILE = "**粗体** <script>alert(1)</script> [链接](javascript:alert(1)) $x^2$"


def phone(n: int) -> tuple[str, str]:
    number = f"1380000{n:04d}"
    return number, number[:3] + "****" + number[-4:]


def book(portal, room_id, n=1, slot="09:00-10:00", day=None, food="豇豆"):
    number, masked = phone(n)
    with portal.db.write() as session:
        return booking.book(session, portal.settings.secret_key, room_id, day or tomorrow(), slot,
                            keyed_hash(portal.settings.secret_key, "phone", number), masked,
                            {"food": food})


def test_slots_and_weekdays_as_offices_write_them():
    assert parse_slots("9:00-10:00，10：00～11:00") == ["09:00-10:00", "10:00-11:00"]
    assert parse_weekdays("周一至周五") == "12345" == parse_weekdays("1-5")
    assert parse_weekdays("周一、三、五") == "135"
    for bad in ("10:00-09:00", "上午", ""):
        with pytest.raises(ValueError):
            parse_slots(bad)
    with pytest.raises(ValueError):
        parse_weekdays("工作日<b>")


def _import(portal, actor, data: bytes, filename: str):
    with portal.db.write() as session:
        return import_rooms(session, actor, data, filename, portal.profile)


def test_import_finds_the_header_under_a_title_is_idempotent_and_lists_bad_rows(portal):
    actor = official(portal, "publisher")
    report = _import(portal, actor, rooms_csv(portal), "名录.csv")
    assert (report.rows, report.imported, report.rejected, report.refused) == (1, 1, 0, None)
    again = _import(portal, actor, rooms_csv(portal), "名录.csv")
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 1)
    with portal.db.read() as session:
        room = session.scalar(select(TestRoom))
        assert (room.slots, room.weekdays, room.capacity) == ("07:30-08:30,08:30-09:30", "1234567", 5)
    bad = rooms_csv(portal, [{"快检室名称": "城外快检室", "地址": "某路 1 号", "区县": "外省某县", "经度": 1,
                              "纬度": 1, "开放时间": "8-17", "检测项目": "农残", "开放日": "1-5",
                              "预约时段": "09:00-10:00", "名额": 3},
                             {"快检室名称": "坐标错的快检室", "地址": "某路 2 号",
                              "区县": portal.profile.districts[0].name, "经度": 116.4, "纬度": 39.9,
                              "开放时间": "8-17", "检测项目": "农残", "开放日": "1-5",
                              "预约时段": "09:00-10:00", "名额": 3}])
    report = _import(portal, actor, bad, "bad.csv")
    assert report.imported == 0 and report.rejected == 2
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "区县"), (4, "纬度")]
    refused = _import(portal, actor, "标题\n无关,列\n1,2\n".encode(), "x.csv")
    assert refused.refused and count_rows(portal, TestRoom) == 1


def test_a_full_slot_refuses_and_a_cancelled_booking_gives_its_seat_back(portal):
    room_id = add_room(portal, capacity=2)
    first = book(portal, room_id, 1)
    book(portal, room_id, 2)
    with pytest.raises(InputError) as full:
        book(portal, room_id, 3)
    assert "约满" in full.value.errors["slot"]
    with pytest.raises(InputError) as twice:          # one booking per phone, room and day
        book(portal, room_id, 1, slot="10:00-11:00")
    assert "已经预约" in twice.value.errors["slot"]
    with portal.db.write() as session:
        found = booking.find(session, portal.settings.secret_key,
                             booking.format_code(first.code).lower(), "10.0.0.1")
        booking.cancel(session, found)
    book(portal, room_id, 3)
    with portal.db.read() as session:
        statuses = sorted(session.scalars(select(RoomBooking.status)))
    assert statuses == sorted([CANCELLED, BOOKED, BOOKED])


def test_bookings_are_refused_for_the_past_an_unknown_slot_and_hostile_food(portal):
    room_id = add_room(portal)
    with pytest.raises(InputError):
        book(portal, room_id, day=local_today() - timedelta(days=1))
    with pytest.raises(InputError):
        book(portal, room_id, slot="23:00-23:30")
    with pytest.raises(InputError):
        book(portal, room_id, day=local_today() + timedelta(days=30))
    with pytest.raises(InputError):
        book(portal, room_id, food="豇\x00豆")
    made = book(portal, room_id, food="豆角 13812345678")
    with portal.db.read() as session:
        assert session.get(RoomBooking, made.booking_id).food == "豆角 138****5678"


def test_the_code_shows_the_result_the_room_records(portal):
    tester = official(portal, "tester")
    room_id = add_room(portal)
    with portal.db.write() as session:
        actions.set_staff(session, official(portal, "publisher", "room_publisher"), room_id, [tester.id])
    today = local_today()
    made = book(portal, room_id, day=tomorrow())
    with portal.db.write() as session:
        with pytest.raises(InputError):        # not before the booked day
            actions.record_result(session, tester, made.booking_id,
                                  {"result": NEGATIVE, "items": "农药残留"})
        row = session.get(RoomBooking, made.booking_id)
        row.day = today
    with portal.db.write() as session:
        with pytest.raises(InputError) as exc:
            actions.record_result(session, tester, made.booking_id, {"result": "", "items": ""})
        assert "result" in exc.value.errors
        actions.record_result(session, tester, made.booking_id,
                              {"result": POSITIVE, "items": "有机磷和氨基甲酸酯类农药残留", "note": HOSTILE})
    with pytest.raises(PermissionDenied):
        with portal.db.write() as session:
            actions.record_result(session, official(portal, "publisher"), made.booking_id,
                                  {"result": NEGATIVE, "items": "x"})
    with portal.db.write() as session:
        found = booking.find(session, portal.settings.secret_key, made.code, "10.0.0.2")
        assert (found.status, found.result, found.result_note) == (TESTED, POSITIVE, HOSTILE)
        assert booking.find(session, portal.settings.secret_key, "KJ2345ABCDEF", "10.0.0.2") is None
    assert count_rows(portal, AuditEntry, AuditEntry.action == "test_room_result") == 1


def test_an_empty_code_is_asked_for_not_looked_up(portal):
    with portal.db.write() as session:
        for blank in ("", "  ", "--"):
            with pytest.raises(InputError) as refused:
                booking.find(session, portal.settings.secret_key, blank, "10.9.9.8")
            assert refused.value.errors["code"] == "请填写预约码"
    assert count_rows(portal, RateCounter) == 0      # no lookup spent


def test_code_lookups_are_limited_per_address(portal):
    with portal.db.write() as session:
        for _ in range(30):
            booking.find(session, portal.settings.secret_key, "KJ2345ABCDEF", "10.9.9.9")
        with pytest.raises(InputError):
            booking.find(session, portal.settings.secret_key, "KJ2345ABCDEF", "10.9.9.9")


def test_retention_erases_bookers_phones_after_the_period(portal):
    room_id = add_room(portal)
    old = book(portal, room_id, 1)
    recent = book(portal, room_id, 2)
    with portal.db.write() as session:
        session.get(RoomBooking, old.booking_id).day = local_today() - timedelta(days=91)
    with portal.db.write() as session:
        assert actions.erase_expired(session, 90) == 1
        assert actions.erase_expired(session, 90) == 0
    with portal.db.read() as session:
        gone, kept = session.get(RoomBooking, old.booking_id), session.get(RoomBooking, recent.booking_id)
        assert (gone.phone_hash, gone.phone_masked) == (None, None) and gone.personal_erased_at
        assert gone.food == "豇豆" and kept.phone_hash and kept.phone_masked == "138****0002"
    assert count_rows(portal, AuditEntry, AuditEntry.action == "test_room_erase_personal") == 1


def test_the_form_corrects_a_room_and_refuses_bad_values(portal):
    actor = official(portal, "publisher")
    room_id = add_room(portal)
    with portal.db.write() as session:
        room, outcome = actions.save_room(session, actor, room_form(portal, capacity=5), portal.profile,
                                          room_id)
        assert outcome == "updated" and room.capacity == 5
        for bad in ({"capacity": 0}, {"slots": "全天"}, {"name": "x"}, {"hours": "8\n17"}):
            with pytest.raises(InputError):
                actions.save_room(session, actor, room_form(portal, **bad), portal.profile, room_id)


def test_a_full_slot_refuses_bookings_from_concurrent_processes(portal):
    """6 processes × 10 attempts on two slots of 4 seats: exactly 4 bookings per slot, no seat
    held twice, every other attempt refused with the citizen's message."""
    room_id = add_room(portal, capacity=4)
    load = book_concurrently(portal.db.url, portal.settings.secret_key, room_id, tomorrow(),
                             ["09:00-10:00", "10:00-11:00"], processes=6, per_process=10)
    assert not load.errors, load.errors
    assert load.rows == {"09:00-10:00": 4, "10:00-11:00": 4} and load.accepted == 8
    assert load.refused == {"slot": 52} and load.duplicate_seats == 0


def test_the_open_data_endpoint_pages_and_writes_csv_without_personal_data(portal):
    for n in range(3):
        add_room(portal, name=f"第{n}快检室")
    book(portal, 1, 7)
    api = TestClient(create_api(lambda: portal, per_minute=10_000, trusted_proxy=False))
    body = api.get("/test-rooms", params={"limit": 2}).json()
    assert body["meta"]["total"] == 3 and len(body["data"]) == 2 and body["meta"]["next"]
    first = body["data"][0]
    assert first["slots"] == ["09:00-10:00", "10:00-11:00"] and first["weekdays"] == [1, 2, 3, 4, 5, 6, 7]
    assert first["bookings_365d"] == 1 and "phone_hash" not in first
    text = api.get("/test-rooms", params={"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3 and "138" not in text
    assert api.get("/test-rooms", params={"district": "x"}).status_code == 422
    assert api.get("/test-rooms", params={"bogus": "1"}).status_code == 400
    assert "/test-rooms" in api.get("/openapi.json").json()["paths"]


def test_the_map_layer_carries_the_rooms_as_data_and_writes_them_as_text():
    import folium

    from portal.maps import add_room_layer

    fmap = folium.Map(location=(29.1, 110.5), tiles=None)
    add_room_layer(fmap, [(29.1, 110.5, 7, HOSTILE, "人民路 1 号", "每天 8:00-17:00")], "快检室",
                   "预约送检")
    html = fmap.get_root().render()
    assert "test_rooms?room=" in html and "textContent = row[3]" in html and "fs-room" in html
    assert "<script>alert(1)</script>" not in html       # inside the data, as a JSON string


def test_a_tester_records_results_only_for_the_rooms_they_work_at(portal):
    """A 快检室检测 account of another room is refused (not only a wrong role); staff are set by a
    publisher, only from accounts with the tester role, and audited."""
    own, other = official(portal, "tester", "tester_a"), official(portal, "tester", "tester_b")
    publisher = official(portal, "publisher")
    room_id = add_room(portal)
    made = book(portal, room_id, day=tomorrow())
    with portal.db.write() as session:
        session.get(RoomBooking, made.booking_id).day = local_today()
        with pytest.raises(InputError):            # a publisher is not a tester
            actions.set_staff(session, publisher, room_id, [own.id, publisher.id])
    with portal.db.write() as session:
        actions.set_staff(session, publisher, room_id, [own.id])
    for stranger in (other, publisher):
        with pytest.raises(PermissionDenied):
            with portal.db.write() as session:
                actions.record_result(session, stranger, made.booking_id, {"result": NEGATIVE, "items": "农残"})
    with portal.db.write() as session:
        actions.record_result(session, own, made.booking_id, {"result": NEGATIVE, "items": "农残"})
        assert session.get(RoomBooking, made.booking_id).status == TESTED
    assert count_rows(portal, AuditEntry, AuditEntry.action == "test_room_staff_set") == 1
