"""Officials' actions on testing rooms: add or correct a room (the admin form and the
importer check rows here), record a booking's result, and erase bookers' phones after the
retention period. Each: validate → authorize → write in the caller's transaction → audit."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, field_validator
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize, authorize_in_scope
from portal.accounts.rules import Actor
from portal.registry.profiles import JurisdictionProfile
from portal.accounts.models import OfficialRole
from portal.test_rooms.models import (BOOKED, NO_SHOW, RESULT_LABELS, TESTED, RoomBooking,
                                      RoomStaff, TestRoom)
from portal.test_rooms.queries import works_at
from portal.test_rooms.rules import MAX_CAPACITY, parse_slots, parse_weekdays
from portal.timeutil import local_today, utcnow
from portal.validation import CleanText, InputError, Message, parse

SYSTEM = Actor(None, "system:retention", "个人信息保存期限", frozenset({"admin"}))


class RoomForm(BaseModel):
    name: CleanText("快检室名称", min_len=2, max_len=100)
    address: CleanText("地址", min_len=4, max_len=200)
    district: CleanText("所属区县", min_len=2, max_len=20)
    lat: float
    lng: float
    hours: CleanText("开放时间", min_len=2, max_len=200)
    tests: CleanText("检测项目", min_len=2, max_len=1000, multiline=True)
    phone: CleanText("联系电话", max_len=40) = ""
    weekdays: str
    slots: str
    capacity: int
    note: CleanText("说明", max_len=500, multiline=True) = ""

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, text: str) -> str:
        return parse_weekdays(text)

    @field_validator("slots")
    @classmethod
    def _slots(cls, text: str) -> str:
        return ",".join(parse_slots(text))

    @field_validator("capacity")
    @classmethod
    def _capacity(cls, n: int) -> int:
        if not 1 <= n <= MAX_CAPACITY:
            raise ValueError(Message("每个时段的名额应为 1 到 {n}", n=MAX_CAPACITY))
        return n


def room_values(data: dict, profile: JurisdictionProfile) -> dict:
    """The TestRoom fields of a form or an imported row, or InputError naming the field."""
    import shapely  # loaded on first use

    form = parse(RoomForm, data)
    district = next((d for d in profile.districts
                     if form.district in (d.adcode, d.name, d.name[:-1])), None)
    if district is None:
        raise InputError({"district": Message("区县“{name}”不在{city}", name=form.district,
                                              city=profile.name)})
    shape = next(s for s in profile.shapes() if s.adcode == district.adcode)
    if not shapely.contains_xy(shape.geometry, form.lng, form.lat):
        raise InputError({"lat": Message("坐标不在所填区县范围内（请使用 WGS-84 经纬度）")})
    values = form.model_dump()
    values.pop("district")
    values["district_adcode"] = district.adcode
    values["phone"] = values["phone"] or None
    values["note"] = values["note"] or None
    return values


def save_room(session: Session, actor: Actor, data: dict, profile: JurisdictionProfile,
              room_id: int | None = None, *, audit_it: bool = True) -> tuple[TestRoom, str]:
    """Add a room, or correct one (room_id, or a room of the same name): (room, "added" |
    "updated" | "same")."""
    authorize(actor, "test_room_save")
    values = room_values(data, profile)
    room = (session.get(TestRoom, room_id) if room_id
            else session.scalar(select(TestRoom).where(TestRoom.name == values["name"])))
    now = utcnow()
    if room is None:
        room = TestRoom(**values, active=True, created_at=now, updated_at=now, is_demo=False)
        session.add(room)
        outcome = "added"
    elif all(getattr(room, k) == v for k, v in values.items()):
        return room, "same"
    else:
        for key, value in values.items():
            setattr(room, key, value)
        room.updated_at = now
        outcome = "updated"
    session.flush()
    if audit_it:
        audit.record(session, actor, "test_room_save", object_type="test_room", object_id=room.id,
                     detail={"room_name": room.name, "saved": outcome})
    return room, outcome


def set_active(session: Session, actor: Actor, room_id: int, active: bool) -> None:
    authorize(actor, "test_room_save")
    room = session.get(TestRoom, room_id)
    if room is None:
        raise InputError({"room": Message("找不到这个快检室")})
    room.active, room.updated_at = active, utcnow()
    audit.record(session, actor, "test_room_save", object_type="test_room", object_id=room.id,
                 detail={"room_name": room.name, "active": active})


class ResultForm(BaseModel):
    result: Literal[tuple(RESULT_LABELS) + (NO_SHOW,)]
    items: CleanText("检测项目", max_len=200) = ""
    note: CleanText("说明", max_len=500, multiline=True) = ""


def record_result(session: Session, actor: Actor, booking_id: int, data: dict) -> RoomBooking:
    """The room's official records what was tested and the result (or that nobody came)."""
    authorize(actor, "test_room_result")
    try:
        form = parse(ResultForm, data)
    except InputError as exc:
        if "result" in exc.errors:
            raise InputError({"result": Message("请选择检测结果")}) from None
        raise
    booking = session.get(RoomBooking, booking_id, with_for_update=True)
    if booking is None or booking.status not in (BOOKED, TESTED, NO_SHOW):
        raise InputError({"booking": Message("找不到这个预约，或预约已取消")})
    authorize_in_scope(actor, "test_room_result", works_at(session, actor, booking.room_id),
                       "这个快检室的检测人员")
    if booking.day > local_today():
        raise InputError({"booking": Message("预约日期还没到，不能登记结果")})
    if form.result == NO_SHOW:
        booking.status, booking.result, booking.items = NO_SHOW, None, None
    else:
        if not form.items:
            raise InputError({"items": Message("请填写检测了哪些项目")})
        booking.status, booking.result, booking.items = TESTED, form.result, form.items
    booking.result_note = form.note or None
    booking.tested_at, booking.tested_by = utcnow(), actor.username
    session.flush()
    audit.record(session, actor, "test_room_result", object_type="room_booking",
                 object_id=booking.id, detail={"room": booking.room_id, "result": form.result})
    return booking


def set_staff(session: Session, actor: Actor, room_id: int, official_ids: list[int]) -> list[int]:
    """Who works at a room (officials with the 快检室检测 role): they record its results."""
    authorize(actor, "test_room_staff_set")
    if session.get(TestRoom, room_id) is None:
        raise InputError({"room": Message("找不到这个快检室")})
    wanted = sorted(set(official_ids))
    testers = set(session.scalars(select(OfficialRole.official_id).where(
        OfficialRole.official_id.in_(wanted), OfficialRole.role == "tester"))) if wanted else set()
    if set(wanted) - testers:
        raise InputError({"staff": Message("只能选择有“快检室检测”角色的账号")})
    before = sorted(session.scalars(select(RoomStaff.official_id).where(RoomStaff.room_id == room_id)))
    session.execute(delete(RoomStaff).where(RoomStaff.room_id == room_id))
    session.add_all(RoomStaff(room_id=room_id, official_id=i) for i in wanted)
    session.flush()
    audit.record(session, actor, "test_room_staff_set", object_type="test_room", object_id=room_id,
                 detail={"before": before, "after": wanted})
    return wanted


def erase_expired(session: Session, days: int, today: date | None = None,
                  actor: Actor = SYSTEM) -> int:
    """Forget the bookers' phones (hash and masked number) of bookings whose day lies more
    than `days` days back. Food, slot and result stay for the room's statistics."""
    authorize(actor, "test_room_erase_personal")
    today = today or local_today()
    cutoff = today - timedelta(days=days)
    ids = list(session.scalars(select(RoomBooking.id).where(
        RoomBooking.day < cutoff, RoomBooking.personal_erased_at.is_(None))))
    now = utcnow()
    for start in range(0, len(ids), 500):
        session.execute(update(RoomBooking).where(RoomBooking.id.in_(ids[start:start + 500]))
                        .values(phone_hash=None, phone_masked=None, personal_erased_at=now))
    if ids:
        audit.record(session, actor, "test_room_erase_personal", object_type="room_booking",
                     detail={"count": len(ids), "booked_before": cutoff.isoformat(),
                             "retention_days": days})
    return len(ids)

