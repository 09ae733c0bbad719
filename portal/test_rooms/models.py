"""Testing rooms (快检室), and citizens' bookings of a slot to bring food for testing."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.i18n import N_
from portal.timeutil import utcnow

BOOKED, TESTED, CANCELLED, NO_SHOW = "booked", "tested", "cancelled", "no_show"
STATUS_LABELS = {BOOKED: N_("已预约"), TESTED: N_("已出结果"), CANCELLED: N_("已取消"), NO_SHOW: N_("未到场")}
NEGATIVE, POSITIVE, INVALID = "negative", "positive", "invalid"
RESULT_LABELS = {NEGATIVE: N_("阴性（未检出）"), POSITIVE: N_("初筛阳性"), INVALID: N_("无法检测")}


class TestRoom(Base):
    """A 快检室: where it is, when it opens, what it tests, and its booking slots."""
    __tablename__ = "test_rooms"
    __test__ = False   # not a pytest class

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(200))
    district_adcode: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), index=True)
    lat: Mapped[float] = mapped_column(Float)       # WGS-84, as every position the portal stores
    lng: Mapped[float] = mapped_column(Float)
    hours: Mapped[str] = mapped_column(String(200))       # as the room words it
    tests: Mapped[str] = mapped_column(Text)              # items tested, one per line or 、-separated
    phone: Mapped[str | None] = mapped_column(String(40))
    weekdays: Mapped[str] = mapped_column(String(7))      # ISO weekdays open for bookings, e.g. "12345"
    slots: Mapped[str] = mapped_column(String(300))       # "09:00-10:00,10:00-11:00"
    capacity: Mapped[int] = mapped_column(Integer)        # bookings per slot
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class RoomStaff(Base):
    """Which officials with the 快检室检测 role work at which room: a tester records results for
    their own rooms only (admins for every room)."""
    __tablename__ = "test_room_staff"

    room_id: Mapped[int] = mapped_column(ForeignKey("test_rooms.id", ondelete="CASCADE"), primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)


class RoomBooking(Base):
    """One booking. Each takes a numbered seat of its slot: the unique constraint on (room,
    day, slot, seat) is what stops a slot from taking more than its capacity, whatever the
    number of processes booking at once (seats run from 1 to the room's capacity). A cancelled
    booking gives its seat back (seat NULL)."""
    __tablename__ = "room_bookings"
    __table_args__ = (
        UniqueConstraint("room_id", "day", "slot", "seat", name="uq_room_bookings_seat"),
        Index("ix_room_bookings_room_day", "room_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("test_rooms.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(11))           # "09:00-10:00"
    seat: Mapped[int | None] = mapped_column(Integer)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    food: Mapped[str] = mapped_column(String(60))
    # The booker: the verified phone's keyed hash and its masked form, erased after the
    # retention period (settings.test_room_retention_days after the booked day).
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10), default=BOOKED)
    result: Mapped[str | None] = mapped_column(String(10))
    items: Mapped[str | None] = mapped_column(String(200))   # what was tested
    result_note: Mapped[str | None] = mapped_column(Text)
    tested_at: Mapped[datetime | None]
    tested_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    personal_erased_at: Mapped[datetime | None]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    room: Mapped[TestRoom] = relationship()
