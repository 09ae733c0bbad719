"""Working days on the official Chinese calendar, make-up workdays (调休) included.

The chinese-calendar package knows the years the State Council had announced when it was
released. An admin enters later years (HolidayDay rows), which also override the package.
For a year known to neither, only weekends are rest days and any deadline reaching into it
is marked provisional.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

HOLIDAY, MAKEUP_WORKDAY = "holiday", "makeup_workday"


@lru_cache(maxsize=1)
def _package_days() -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    from chinese_calendar import constants

    holidays = frozenset(constants.holidays)
    workdays = frozenset(constants.workdays)
    years = frozenset(range(min(d.year for d in holidays), max(d.year for d in holidays) + 1))
    return holidays, workdays, years


@dataclass(frozen=True)
class Deadline:
    day: date
    provisional: bool


class WorkCalendar:
    def __init__(self, entered: dict[date, str] | None = None):
        holidays, workdays, years = _package_days()
        entered = entered or {}
        entered_years = {d.year for d in entered}
        self.holidays = {d for d in holidays if d.year not in entered_years} | \
            {d for d, kind in entered.items() if kind == HOLIDAY}
        self.workdays = {d for d in workdays if d.year not in entered_years} | \
            {d for d, kind in entered.items() if kind == MAKEUP_WORKDAY}
        self.package_years = years
        self.entered_years = frozenset(entered_years)
        self.known_years = years | self.entered_years

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def known(self, day: date) -> bool:
        return day.year in self.known_years

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day after `start` (the day of receipt itself is not counted)."""
        day, provisional, left = start, False, n
        while left > 0:
            day += timedelta(days=1)
            if not self.known(day):
                provisional = True
            if self.is_workday(day):
                left -= 1
        return Deadline(day, provisional)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


def load_calendar(session: Session) -> WorkCalendar:
    from portal.complaints.models import HolidayDay

    rows = session.execute(select(HolidayDay.day, HolidayDay.kind)).all()
    return WorkCalendar({day: kind for day, kind in rows})
