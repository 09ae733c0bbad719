"""Working days on the official Chinese calendar, make-up workdays (调休) included.

The chinese-calendar package knows the years the State Council had announced when it was
released. An admin enters later years (HolidayDay rows, read from a file here; entered by
portal.complaints.deadlines, which recomputes the deadlines that depend on them), which also
override the package. For a year known to neither, only weekends are rest days and any
deadline reaching into it is marked provisional.

A kernel module: any capability that counts working days uses it; it imports none of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from chinese_calendar import constants
from sqlalchemy import Date, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base
from portal.tables import TableError, clean_cell, parse_date, read_table
from portal.timeutil import utcnow
from portal.validation import InputError, Message, message_of

HOLIDAY, MAKEUP_WORKDAY = "holiday", "makeup_workday"


@lru_cache(maxsize=1)
def _package_days() -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
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
    rows = session.execute(select(HolidayDay.day, HolidayDay.kind)).all()
    return WorkCalendar({day: kind for day, kind in rows})


class HolidayDay(Base):
    """A year's holiday arrangement entered by an admin (State Council notice), used for
    years the chinese-calendar package does not know, and over the package when present."""
    __tablename__ = "holiday_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))          # holiday / makeup_workday
    name: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)


KIND_WORDS = {"holiday": HOLIDAY, "休": HOLIDAY, "放假": HOLIDAY, "休息": HOLIDAY, "假": HOLIDAY,
              "节假日": HOLIDAY, "makeup_workday": MAKEUP_WORKDAY, "班": MAKEUP_WORKDAY,
              "上班": MAKEUP_WORKDAY, "调休上班": MAKEUP_WORKDAY, "补班": MAKEUP_WORKDAY,
              "workday": MAKEUP_WORKDAY}
DATE_HEADERS = ("date", "日期")
KIND_HEADERS = ("kind", "类型", "安排")
NAME_HEADERS = ("holiday_zh", "name", "节日", "名称", "节假日名称")


@dataclass(frozen=True)
class HolidayRow:
    day: date
    kind: str
    name: str | None


def parse_rows(rows: list[list[object]]) -> list[HolidayRow]:
    """Rows of cells with a header naming 日期/date and 类型/kind (休 or 班); every problem
    is reported with its line number, and nothing is taken when there is one."""
    if not rows:
        raise InputError({"file": Message("文件里没有内容")})
    header = [(clean_cell(c) or "").strip().lower() for c in rows[0]]

    def find(names):
        return next((i for i, h in enumerate(header) if h in names), None)

    i_date, i_kind, i_name = find(DATE_HEADERS), find(KIND_HEADERS), find(NAME_HEADERS)
    if i_date is None or i_kind is None:
        raise InputError({"file": Message("第一行应是表头，至少包含“日期”和“类型”两列（类型填“休”或“班”）")})
    out: dict[date, HolidayRow] = {}
    problems: list[str] = []
    for n, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (len(header) - len(row))
        if all(clean_cell(c) is None for c in cells):
            continue
        day = parse_date(cells[i_date])
        kind = KIND_WORDS.get((clean_cell(cells[i_kind]) or "").strip().lower())
        name = clean_cell(cells[i_name]) if i_name is not None else None
        if day is None:
            problems.append(f"第 {n} 行：日期无法识别（请写成 2027-01-01）")
            continue
        if kind is None:
            problems.append(f"第 {n} 行：类型应为“休”（放假）或“班”（调休上班）")
            continue
        if kind == MAKEUP_WORKDAY and day.weekday() < 5:
            problems.append(f"第 {n} 行：{day.isoformat()} 是工作日，不需要登记为调休上班")
            continue
        if day in out and out[day].kind != kind:
            problems.append(f"第 {n} 行：{day.isoformat()} 重复且类型不一致")
            continue
        out[day] = HolidayRow(day, kind, (name or "")[:40] or None)
    if problems:
        raise InputError({"rows": Message("；".join(problems[:20]) + ("……" if len(problems) > 20 else ""))})
    if not out:
        raise InputError({"file": Message("文件里没有日期行")})
    return sorted(out.values(), key=lambda r: r.day)


def read_file(data: bytes, filename: str) -> list[HolidayRow]:
    try:
        return parse_rows(read_table(data, filename))
    except TableError as exc:
        raise InputError({"file": message_of(exc)}) from None


def entered_years(session: Session) -> list[tuple[int, int, int, str]]:
    """(year, holidays, make-up workdays, source) for each year an admin entered."""
    rows = session.execute(select(HolidayDay.year, HolidayDay.kind, HolidayDay.source)).all()
    years: dict[int, list] = {}
    for year, kind, source in rows:
        entry = years.setdefault(year, [year, 0, 0, source or ""])
        entry[1 if kind == HOLIDAY else 2] += 1
    return [tuple(v) for _, v in sorted(years.items())]
