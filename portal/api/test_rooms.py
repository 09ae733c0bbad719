"""/api/v1/test-rooms: the testing rooms (快检室) citizens can book, with a year's counts of
bookings and results (never a booker's data)."""
from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from portal.api.params import Page
from portal.api.schemas import F
from portal.test_rooms import queries
from portal.validation import Adcode, Keyword


class TestRoomParams(Page):
    __test__ = False
    district: Adcode = ""
    q: Keyword = Field("", description="名称、地址或检测项目关键词 / keyword in name, address or tests")


class TestRoom(BaseModel):
    __test__ = False
    id: int = F("快检室编号", "room id")
    name: str = F("名称", "name")
    address: str = F("地址", "address")
    district: str = F("所属区县代码", "district adcode")
    district_name: str = F("所属区县", "district name")
    lat: float = F("纬度（WGS-84）", "latitude, WGS-84")
    lng: float = F("经度（WGS-84）", "longitude, WGS-84")
    hours: str = F("开放时间", "opening hours, as the room words them")
    tests: list[str] = F("检测项目", "what the room tests")
    phone: str | None = F("联系电话", "phone")
    weekdays: list[int] = F("可预约的星期（1=周一）", "ISO weekdays open for booking")
    slots: list[str] = F("预约时段", "booking slots, HH:MM-HH:MM")
    capacity: int = F("每时段名额", "bookings per slot")
    bookings_365d: int = F("近 365 天预约次数（不含取消）", "bookings in the last 365 days, cancelled excluded")
    tested_365d: int = F("近 365 天出具结果次数", "results given in the last 365 days")
    positive_365d: int = F("其中初筛阳性", "of which positive on screening")
    demo: bool = F("演示数据", "generated demo record")


def room_page(session: Session, jurisdiction: str, q: TestRoomParams, names: dict[str, str],
              today: date) -> tuple[int, list[dict]]:
    found = queries.rooms(session, jurisdiction, district=q.district, q=q.q)
    page = found[q.offset:q.offset + q.limit]
    stats = queries.room_stats(session, [r.id for r in page], today - timedelta(days=365))
    return len(found), [{
        "id": r.id, "name": r.name, "address": r.address, "district": r.district_adcode,
        "district_name": names.get(r.district_adcode, r.district_adcode), "lat": r.lat, "lng": r.lng,
        "hours": r.hours, "tests": [line for line in r.tests.splitlines() if line.strip()],
        "phone": r.phone, "weekdays": [int(d) for d in r.weekdays], "slots": r.slots.split(","),
        "capacity": r.capacity, "bookings_365d": stats.get(r.id, (0, 0, 0))[0],
        "tested_365d": stats.get(r.id, (0, 0, 0))[1], "positive_365d": stats.get(r.id, (0, 0, 0))[2],
        "demo": bool(r.is_demo)} for r in page]


def modified(session: Session):
    return queries.modified(session)
