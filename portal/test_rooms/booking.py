"""What citizens do: book a slot to bring food to a testing room, look a booking up by its
code, cancel it. Identity is a verified phone's keyed hash (portal.verification), as for
你点我检's votes; a slot's capacity is enforced by the database (numbered seats)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import ratelimit
from portal.personal import keyed_hash, mask_personal, normalise_code, random_code
from portal.test_rooms.models import BOOKED, CANCELLED, RoomBooking, TestRoom
from portal.test_rooms.rules import (BOOKINGS_PER_PHONE_DAY, DAYS_AHEAD, LOOKUPS_PER_HOUR,
                                     slot_start)
from portal.timeutil import to_local, utcnow
from portal.validation import CleanText, InputError, Message, parse

CODE_PREFIX, CODE_LENGTH = "KJ", 10
FoodText = CleanText("送检食品", min_len=2, max_len=60)


class BookingForm(BaseModel):
    food: FoodText

    @field_validator("food")
    @classmethod
    def _no_phone_numbers(cls, food: str) -> str:
        return mask_personal(food)


@dataclass(frozen=True)
class Booked:
    booking_id: int
    code: str          # shown once to the citizen; only its keyed hash is stored


def format_code(code: str) -> str:
    """KJ2345ABCDEFGH as KJ-2345-ABCD-EFGH: easier to read out and copy."""
    body = code[len(CODE_PREFIX):]
    return CODE_PREFIX + "-" + "-".join(body[i:i + 4] for i in range(0, len(body), 4))


def code_hash(secret: str, raw: object) -> str:
    return keyed_hash(secret, "room-booking", normalise_code(raw))


def book(session: Session, secret: str, room_id: int, day, slot: str, phone_hash: str,
         phone_masked: str, data: dict, now: datetime | None = None,
         is_demo: bool = False) -> Booked:
    """A booking of one seat in (room, day, slot), or InputError saying why not."""
    form = parse(BookingForm, data)
    now = now or utcnow()
    local_now = to_local(now).replace(tzinfo=None)
    room = session.get(TestRoom, room_id) if isinstance(room_id, int) else None
    if room is None or not room.active:
        raise InputError({"room": Message("找不到这个快检室，或它暂停接受预约")})
    if slot not in room.slots.split(",") or str(day.isoweekday()) not in room.weekdays:
        raise InputError({"slot": Message("这个快检室在所选日期没有这个时段，请从列表中选择")})
    if slot_start(day, slot) <= local_now:
        raise InputError({"slot": Message("这个时段已经开始或已过去，请选择以后的时段")})
    if (day - local_now.date()).days > DAYS_AHEAD:
        raise InputError({"slot": Message("最多可以预约 {n} 天以内的时段", n=DAYS_AHEAD)})
    if session.scalar(select(RoomBooking.id).where(
            RoomBooking.room_id == room_id, RoomBooking.day == day,
            RoomBooking.phone_hash == phone_hash, RoomBooking.status == BOOKED).limit(1)):
        raise InputError({"slot": Message("您已经预约了这个快检室当天的时段，如需改时间请先取消原预约")})
    if not ratelimit.take(session, "room-booking:phone", phone_hash, local_now.date().isoformat(),
                          BOOKINGS_PER_PHONE_DAY):
        raise InputError({"limit": Message("每个手机号每天最多预约 {n} 次，请明天再来",
                                           n=BOOKINGS_PER_PHONE_DAY)})
    code = CODE_PREFIX + random_code(CODE_LENGTH)
    held = taken_seats(session, room_id, day, slot)
    for seat in range(1, room.capacity + 1):
        if seat in held:
            continue
        booking = RoomBooking(room_id=room_id, day=day, slot=slot, seat=seat,
                              code_hash=code_hash(secret, code), food=form.food,
                              phone_hash=phone_hash, phone_masked=phone_masked, status=BOOKED,
                              created_at=now, is_demo=is_demo)
        try:
            # Another process may take this seat between the read and the insert: the unique
            # constraint refuses the second, and this booking tries the next seat.
            with session.begin_nested():
                session.add(booking)
                session.flush()
        except IntegrityError:
            continue
        return Booked(booking.id, code)
    raise InputError({"slot": Message("这个时段已约满，请选择其他时段")})


def taken_seats(session: Session, room_id: int, day, slot: str) -> set[int]:
    return set(session.scalars(select(RoomBooking.seat).where(
        RoomBooking.room_id == room_id, RoomBooking.day == day, RoomBooking.slot == slot,
        RoomBooking.seat.is_not(None))))


def find(session: Session, secret: str, raw_code: object, address: str,
         now: datetime | None = None) -> RoomBooking | None:
    """The booking with this code, or None. Lookups are counted per address and hour (in the
    caller's write transaction), so codes cannot be tried by the million."""
    now = now or utcnow()
    code = normalise_code(raw_code)
    if not code:        # nothing typed: say so (not "not found"), and spend no lookup on it
        raise InputError({"code": Message("请填写预约码")})
    if not ratelimit.take(session, "room-lookup:address", keyed_hash(secret, "address", address),
                          now.isoformat()[:13], LOOKUPS_PER_HOUR):
        raise InputError({"limit": Message("查询次数太多了，请一小时后再试")})
    if len(code) != len(CODE_PREFIX) + CODE_LENGTH or not code.startswith(CODE_PREFIX):
        return None
    return session.scalar(select(RoomBooking).where(RoomBooking.code_hash == code_hash(secret, code)))


def cancel(session: Session, booking: RoomBooking, now: datetime | None = None) -> None:
    """The citizen cancels a booking not yet tested; the seat is free again."""
    now = now or utcnow()
    if booking.status != BOOKED:
        raise InputError({"booking": Message("这个预约已经不能取消")})
    if slot_start(booking.day, booking.slot) <= to_local(now).replace(tzinfo=None):
        raise InputError({"booking": Message("时段已经开始，不能在网上取消，请直接联系快检室")})
    booking.status, booking.seat = CANCELLED, None
    session.flush()


def my_bookings(session: Session, phone_hash: str) -> list[RoomBooking]:
    return list(session.scalars(select(RoomBooking).where(RoomBooking.phone_hash == phone_hash)
                                .order_by(RoomBooking.day.desc(), RoomBooking.slot.desc()).limit(50)))
