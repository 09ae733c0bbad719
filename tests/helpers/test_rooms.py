"""A testing room in a test's database, and a CSV of rooms as officials keep them."""
from __future__ import annotations

from datetime import date, timedelta

from portal.accounts.rules import cli_actor
from portal.test_rooms.actions import save_room


def inside(portal, index: int = 0) -> tuple[float, float]:
    """(lat, lng) of a point inside the jurisdiction's index-th district."""
    district = portal.profile.districts[index]
    shape = next(s for s in portal.profile.shapes() if s.adcode == district.adcode)
    point = shape.geometry.representative_point()
    return round(point.y, 6), round(point.x, 6)


def room_form(portal, **overrides) -> dict:
    lat, lng = inside(portal)
    return {"name": "永定区西溪坪市场监管所快检室", "address": "张家界市永定区西溪坪路 8 号",
            "district": portal.profile.districts[0].name, "lat": lat, "lng": lng,
            "hours": "周一至周日 8:00-17:00", "tests": "蔬菜农药残留\n水发产品甲醛", "phone": "0744-8222222",
            "weekdays": "1-7", "slots": "09:00-10:00,10:00-11:00", "capacity": 3,
            "note": "", **overrides}


def add_room(portal, **overrides) -> int:
    with portal.db.write() as session:
        room, _ = save_room(session, cli_actor("test"), room_form(portal, **overrides), portal.profile)
        return room.id


def tomorrow() -> date:
    from portal.timeutil import local_today

    return local_today() + timedelta(days=1)


def rooms_csv(portal, rows: list[dict] | None = None) -> bytes:
    """A 快检室名录 with a title row above the header, as offices publish them."""
    lat, lng = inside(portal)
    district = portal.profile.districts[0].name
    rows = rows if rows is not None else [
        {"快检室名称": "永定区南庄坪农贸市场快检室", "详细地址": "南庄坪农贸市场一楼", "区县": district,
         "经度": lng, "纬度": lat, "服务时间": "每天 7:30-11:30", "快检项目": "农药残留、瘦肉精",
         "咨询电话": "0744-8111111", "开放日": "周一至周日", "预约时段": "07:30-08:30，08:30-09:30",
         "每时段名额": 5}]
    header = list(rows[0]) if rows else ["快检室名称"]
    lines = ["张家界市食品安全快检室名录（2026 年 11 月）", ",".join(header)]
    for row in rows:
        lines.append(",".join(f'"{row.get(h, "")}"' for h in header))
    return ("\n".join(lines) + "\n").encode("utf-8")
