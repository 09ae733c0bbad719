"""Reads for the 快检室 pages, the map layer, the home page and the open-data API."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.registry.models import District
from portal.accounts.models import Official, OfficialRole
from portal.accounts.permissions import is_admin
from portal.accounts.rules import Actor
from portal.test_rooms.models import BOOKED, POSITIVE, TESTED, RoomBooking, RoomStaff, TestRoom
from portal.test_rooms.rules import bookable_days, slot_start


def rooms(session: Session, jurisdiction: str, *, district: str = "", q: str = "",
          active_only: bool = True) -> list[TestRoom]:
    statement = (select(TestRoom).join(District, District.adcode == TestRoom.district_adcode)
                 .where(District.jurisdiction_adcode == jurisdiction))
    if active_only:
        statement = statement.where(TestRoom.active.is_(True))
    if district:
        statement = statement.where(TestRoom.district_adcode == district)
    if q:
        pattern = f"%{q}%"
        statement = statement.where(TestRoom.name.like(pattern) | TestRoom.address.like(pattern)
                                    | TestRoom.tests.like(pattern))
    return list(session.scalars(statement.order_by(TestRoom.district_adcode, TestRoom.name)))


def works_at(session: Session, actor: Actor, room_id: int) -> bool:
    """Is this official one of the room's staff (who record its results)?"""
    return actor.id is not None and session.get(RoomStaff, (room_id, actor.id)) is not None


def staffed_rooms(session: Session, actor: Actor, jurisdiction: str) -> list[TestRoom]:
    """The rooms whose results this official records (every room for an admin)."""
    found = rooms(session, jurisdiction, active_only=False)
    if is_admin(actor):
        return found
    own = set(session.scalars(select(RoomStaff.room_id).where(RoomStaff.official_id == actor.id)))
    return [room for room in found if room.id in own]


def testers(session: Session) -> dict[int, str]:
    """Active accounts with the 快检室检测 role: id → "display name (username)"."""
    rows = session.execute(select(Official.id, Official.display_name, Official.username)
                           .join(OfficialRole, OfficialRole.official_id == Official.id)
                           .where(OfficialRole.role == "tester", Official.active.is_(True))
                           .order_by(Official.username))
    return {i: f"{name}（{username}）" for i, name, username in rows}


def staff_of(session: Session, room_id: int) -> list[int]:
    """The official ids working at a room."""
    return list(session.scalars(select(RoomStaff.official_id).where(RoomStaff.room_id == room_id)))


@dataclass(frozen=True)
class SlotView:
    day: date
    slot: str
    left: int


def open_slots(session: Session, room: TestRoom, today: date, now_local: datetime) -> list[SlotView]:
    """The room's bookable slots from now to two weeks ahead, with the seats left."""
    days = bookable_days(room.weekdays, today)
    held: dict[tuple, int] = {}
    if days:
        for day, slot, n in session.execute(
                select(RoomBooking.day, RoomBooking.slot, func.count())
                .where(RoomBooking.room_id == room.id, RoomBooking.day.in_(days),
                       RoomBooking.seat.is_not(None))
                .group_by(RoomBooking.day, RoomBooking.slot)):
            held[(day, slot)] = n
    return [SlotView(day, slot, max(0, room.capacity - held.get((day, slot), 0)))
            for day in days for slot in room.slots.split(",")
            if slot_start(day, slot) > now_local]


def day_bookings(session: Session, room_id: int, day: date) -> list[RoomBooking]:
    return list(session.scalars(select(RoomBooking).where(
        RoomBooking.room_id == room_id, RoomBooking.day == day)
        .order_by(RoomBooking.slot, RoomBooking.id)))


def map_rows(session: Session, jurisdiction: str) -> list[tuple]:
    """(lat, lng, room id, name, address, hours) of the open rooms, for the map's layer."""
    return [tuple(row) for row in session.execute(
        select(TestRoom.lat, TestRoom.lng, TestRoom.id, TestRoom.name, TestRoom.address,
               TestRoom.hours)
        .join(District, District.adcode == TestRoom.district_adcode)
        .where(District.jurisdiction_adcode == jurisdiction, TestRoom.active.is_(True))
        .order_by(TestRoom.id))]


@dataclass(frozen=True)
class RoomFigures:
    rooms: int
    bookings: int       # this year
    tested: int         # this year
    demo: bool


def figures(session: Session, jurisdiction: str, year: int) -> RoomFigures:
    count, demo = session.execute(
        select(func.count(TestRoom.id), func.sum(case((TestRoom.is_demo.is_(True), 1), else_=0)))
        .join(District, District.adcode == TestRoom.district_adcode)
        .where(District.jurisdiction_adcode == jurisdiction, TestRoom.active.is_(True))).one()
    booked, tested = session.execute(
        select(func.count(RoomBooking.id), func.sum(case((RoomBooking.status == TESTED, 1), else_=0)))
        .where(RoomBooking.day >= date(year, 1, 1), RoomBooking.day <= date(year, 12, 31),
               RoomBooking.status.in_((BOOKED, TESTED)))).one()
    return RoomFigures(int(count or 0), int(booked or 0), int(tested or 0), bool(demo))


def room_stats(session: Session, room_ids: list[int], since: date) -> dict[int, tuple[int, int, int]]:
    """{room id: (bookings since, tested since, of which 初筛阳性)}."""
    if not room_ids:
        return {}
    return {room_id: (int(n), int(tested or 0), int(positive or 0))
            for room_id, n, tested, positive in session.execute(
        select(RoomBooking.room_id, func.count(),
               func.sum(case((RoomBooking.status == TESTED, 1), else_=0)),
               func.sum(case((RoomBooking.result == POSITIVE, 1), else_=0)))
        .where(RoomBooking.room_id.in_(room_ids), RoomBooking.day >= since,
               RoomBooking.status.in_((BOOKED, TESTED)))
        .group_by(RoomBooking.room_id))}


def modified(session: Session) -> datetime | None:
    """The newest change to a room, a booking or a result (the API's Last-Modified)."""
    moments = [session.scalar(select(func.max(column))) for column in
               (TestRoom.updated_at, RoomBooking.created_at, RoomBooking.tested_at)]
    return max((m for m in moments if m is not None), default=None)

