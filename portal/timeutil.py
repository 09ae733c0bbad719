"""Time: stored as naive UTC in the database, shown in Asia/Shanghai."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Naive UTC: the one form stored, identical on SQLite and PostgreSQL."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL_TZ)


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def cn_date(day: date | datetime | None) -> str:
    """2026年11月22日 (UX.md); datetimes are converted to local time first."""
    if day is None:
        return "—"
    if isinstance(day, datetime):
        day = to_local(day).date()
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = to_local(moment)
    return f"{cn_date(local.date())} {local:%H:%M}"


def months_since(day: date, today: date) -> int:
    """Whole months from `day` to `today` (0 within the same month-day span).

    The exact inverse of ratings.rules.months_before: months_since(day, today) >= n exactly
    when day <= months_before(today, n), so the "N 个月前" shown and the rating's staleness
    agree. dateutil's relativedelta(today, day) is not used here: it counts 31 January to
    29 February as a whole month, while months_before(29 February, 1) is 29 January."""
    return (today.year - day.year) * 12 + today.month - day.month - (today.day < day.day)


def local_midnight_utc(day: date) -> datetime:
    """The naive-UTC instant at which a local (Asia/Shanghai) day begins."""
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)
