"""Many processes booking the same testing-room slots at once: used by the concurrency test
(a full slot must refuse every further booking, whatever the number of processes)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

# Imported here, not in the worker: processes load them before the common start.
from benchmarks.concurrency import run_at_once
from portal.db import Database
from portal.personal import keyed_hash
from portal.test_rooms.booking import book
from portal.test_rooms.models import RoomBooking
from portal.validation import InputError


@dataclass(frozen=True)
class BookingLoad:
    seconds: float
    attempts: int
    accepted: int
    refused: Counter          # field -> count (the messages citizens see)
    errors: Counter           # anything else: must stay empty
    rows: dict                # slot -> bookings holding a seat, as stored
    duplicate_seats: int


def _worker(url: str, secret: str, room_id: int, day: date, slots: list[str], worker: int,
            n: int) -> tuple[int, Counter, Counter]:
    db = Database(url)
    accepted, refused, errors = 0, Counter(), Counter()
    for i in range(n):
        phone = f"1370{worker:03d}{i:04d}"
        try:
            with db.write() as session:
                book(session, secret, room_id, day, slots[i % len(slots)],
                     keyed_hash(secret, "phone", phone), phone[:3] + "****" + phone[-4:],
                     {"food": "豇豆"})
            accepted += 1
        except InputError as exc:
            refused[next(iter(exc.errors))] += 1
        except Exception as exc:  # counted and reported, never hidden
            errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
    db.engine.dispose()
    return accepted, refused, errors


def book_concurrently(url: str, secret: str, room_id: int, day: date, slots: list[str],
                      processes: int = 6, per_process: int = 10) -> BookingLoad:
    """Each process books every slot in turn with its own phones: all contend for the seats."""
    seconds, outcomes = run_at_once(_worker, [(url, secret, room_id, day, slots, w, per_process)
                                              for w in range(processes)])
    refused, errors = Counter(), Counter()
    for _, r, e in outcomes:
        refused.update(r)
        errors.update(e)
    with Database(url).read() as session:
        rows = dict(session.execute(
            select(RoomBooking.slot, func.count()).where(
                RoomBooking.room_id == room_id, RoomBooking.day == day, RoomBooking.seat.is_not(None))
            .group_by(RoomBooking.slot)).all())
        seats = select(func.count().label("n")).where(RoomBooking.room_id == room_id) \
            .group_by(RoomBooking.day, RoomBooking.slot, RoomBooking.seat).subquery()
        duplicates = session.scalar(select(func.count()).select_from(seats).where(seats.c.n > 1))
    return BookingLoad(seconds, processes * per_process, sum(a for a, _, _ in outcomes), refused,
                       errors, rows, duplicates)
