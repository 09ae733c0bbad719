"""The rules of booking a testing room: how far ahead, the slots' shape, limits."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from portal.i18n import N_
from portal.validation import Message

DAYS_AHEAD = 14            # a slot can be booked from today up to two weeks ahead
BOOKINGS_PER_PHONE_DAY = 3  # bookings one verified phone may make in a day (any room)
LOOKUPS_PER_HOUR = 30       # booking-code lookups from one address in an hour
MAX_CAPACITY = 50
MAX_SLOTS = 12
WEEKDAY_NAMES = {"1": N_("周一"), "2": N_("周二"), "3": N_("周三"), "4": N_("周四"), "5": N_("周五"),
                 "6": N_("周六"), "7": N_("周日")}
_SLOT = re.compile(r"([01]?\d|2[0-3])[:：]([0-5]\d)\s*[-–—~～至到]\s*([01]?\d|2[0-3])[:：]([0-5]\d)")


def parse_slots(text: object) -> list[str]:
    """"9:00-10:00，10:00-11:00" as ["09:00-10:00", "10:00-11:00"]; ValueError(Message) when a
    part is not a time range, ends before it starts, or there are none or too many."""
    parts = [p.strip() for p in re.split(r"[,，;；、\s]+(?=\d)", str(text or "").strip()) if p.strip()]
    slots = []
    for part in parts:
        found = _SLOT.fullmatch(part)
        if not found:
            raise ValueError(Message("时段“{part}”的格式不对，应如 09:00-10:00", part=part[:20]))
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if (h2, m2) <= (h1, m1):
            raise ValueError(Message("时段“{part}”的结束时间应晚于开始时间", part=part[:20]))
        slots.append(f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}")
    if not slots or len(slots) > MAX_SLOTS:
        raise ValueError(Message("请填写 1 到 {n} 个预约时段，如 09:00-10:00,10:00-11:00", n=MAX_SLOTS))
    return sorted(set(slots))


def parse_weekdays(text: object) -> str:
    """"周一至周五" / "1-5" / "12345" / "周一、三、五" as ISO weekday digits ("12345")."""
    raw = str(text or "").strip().replace("星期", "周").replace("礼拜", "周")
    names = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "日": "7", "天": "7"}
    raw = "".join(names.get(ch, ch) for ch in raw)
    found = re.fullmatch(r"周?([1-7])\s*[-–—~～至到]\s*周?([1-7])", raw)
    if found:
        start, end = int(found.group(1)), int(found.group(2))
        if start <= end:
            return "".join(str(d) for d in range(start, end + 1))
    digits = sorted(set(re.findall(r"[1-7]", raw)))
    if not digits or re.sub(r"[1-7周、,，\s]", "", raw):
        raise ValueError(Message("开放日应如“周一至周五”或“1-5”"))
    return "".join(digits)


def weekdays_text(digits: str, translate=lambda text: text) -> str:
    return "、".join(translate(WEEKDAY_NAMES[d]) for d in digits)


def slot_start(day: date, slot: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(slot[:5]))


def bookable_days(weekdays: str, today: date) -> list[date]:
    return [d for d in (today + timedelta(days=n) for n in range(DAYS_AHEAD + 1))
            if str(d.isoweekday()) in weekdays]
