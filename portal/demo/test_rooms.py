"""Demo testing rooms (快检室) in each district, and citizens' bookings over the last two
months and the next two weeks: past ones with their results, within each slot's capacity."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from portal.db import bulk_insert
from portal.geo import random_points_in
from portal.meta import set_meta
from portal.personal import keyed_hash, random_code
from portal.test_rooms.booking import CODE_LENGTH, CODE_PREFIX, code_hash
from portal.test_rooms.models import (BOOKED, CANCELLED, INVALID, NEGATIVE, NO_SHOW, POSITIVE,
                                      TESTED, RoomBooking, TestRoom)
from portal.test_rooms.rules import bookable_days
from portal.timeutil import local_today

EXAMPLE_KEY = "demo_room_booking_example"
KINDS = [("市场监管所快检室", "12345", "周一至周五 8:30-11:30，14:30-17:00",
          "09:00-10:00,10:00-11:00,15:00-16:00,16:00-17:00"),
         ("农贸市场食品安全快检室", "1234567", "每天 7:30-11:30",
          "07:30-08:30,08:30-09:30,09:30-10:30,10:30-11:30"),
         ("食品安全快检服务站", "123456", "周一至周六 9:00-12:00，14:00-17:00",
          "09:00-10:00,10:00-11:00,11:00-12:00,14:00-15:00,15:00-16:00,16:00-17:00")]
TESTS = ["蔬菜水果农药残留（有机磷和氨基甲酸酯类，酶抑制率法）", "畜禽肉克伦特罗、莱克多巴胺、沙丁胺醇（胶体金）",
         "水发产品甲醛", "干货、银耳二氧化硫", "腌腊肉制品亚硝酸盐", "米粉、面粉吊白块", "食用油酸价、过氧化值",
         "水产品孔雀石绿"]
FOODS = ["小白菜", "豇豆", "芹菜", "韭菜", "猪肉", "牛肉", "鸡爪", "鱿鱼（水发）", "银耳", "腊肉", "鲜湿米粉",
         "菜籽油", "草鱼", "黄花菜", "枸杞", "香菇"]
ROADS = ["人民", "解放", "建设", "朝阳", "新华", "文化", "滨江", "迎宾", "永兴", "回龙"]
SCALE_ROOMS = {"small": 1, "city": 2, "province": 3}     # rooms per district


def generate_test_rooms(session, ctx) -> int:
    rng, profile = ctx.rng, ctx.profile
    shapes = {s.adcode: s for s in profile.shapes()}
    added = 0
    per_district = SCALE_ROOMS.get(ctx.scale, 1)
    for district in profile.districts:
        points = random_points_in(shapes[district.adcode].geometry, per_district, rng)
        for n in range(per_district):
            suffix, weekdays, hours, slots = KINDS[added % len(KINDS)]
            road = ROADS[int(rng.integers(0, len(ROADS)))]
            tests = [TESTS[i] for i in sorted(rng.choice(len(TESTS), size=int(rng.integers(4, 8)),
                                                        replace=False))]
            room = TestRoom(
                name=f"{district.name}{road}{suffix}" + (f"（{n + 1}）" if n else ""),
                address=f"{profile.name}{district.name}{road}路{int(rng.integers(1, 300))}号",
                district_adcode=district.adcode, lat=round(float(points[n][0]), 6),
                lng=round(float(points[n][1]), 6), hours=hours, tests="\n".join(tests),
                phone=f"0744-{int(rng.integers(2000000, 8999999))}", weekdays=weekdays,
                slots=slots, capacity=int(rng.choice([4, 6, 8])),
                note="演示数据：请携带约 200 克样品，蔬菜请勿清洗；检测免费，约 30 分钟出结果。",
                active=True, created_at=ctx.now, updated_at=ctx.now, is_demo=True)
            session.add(room)
            added += 1
    session.flush()
    rooms = list(session.scalars(select(TestRoom).where(TestRoom.is_demo.is_(True)).order_by(TestRoom.id)))
    _bookings(session, ctx, rooms)
    return len(rooms)


def _bookings(session, ctx, rooms: list[TestRoom]) -> None:
    rng, today = ctx.rng, local_today()
    total = ctx.counts["room_bookings"]
    seats: dict[tuple, int] = {}
    rows: list[dict] = []
    days = {room.id: [today - timedelta(days=60 - d) for d in range(60)] + bookable_days(room.weekdays, today)
            for room in rooms}
    example = None
    for i in range(total):
        room = rooms[int(rng.integers(0, len(rooms)))]
        day = days[room.id][int(rng.integers(0, len(days[room.id])))]
        if str(day.isoweekday()) not in room.weekdays:
            continue
        slot = room.slots.split(",")[int(rng.integers(0, len(room.slots.split(","))))]
        key = (room.id, day, slot)
        if seats.get(key, 0) >= room.capacity:
            continue
        past = day < today
        roll = float(rng.random())
        status = (TESTED if roll < 0.85 else NO_SHOW if roll < 0.95 else CANCELLED) if past else BOOKED
        seat = None
        if status != CANCELLED:
            seats[key] = seat = seats.get(key, 0) + 1
        result = (NEGATIVE if rng.random() < 0.93 else POSITIVE if rng.random() < 0.7 else INVALID) \
            if status == TESTED else None
        phone = f"1390000{int(rng.integers(0, 5000)):04d}"
        code = CODE_PREFIX + random_code(CODE_LENGTH)
        tests = room.tests.split("\n")
        start = datetime.combine(day, time.fromisoformat(slot[:5]))
        rows.append({
            "room_id": room.id, "day": day, "slot": slot, "seat": seat,
            "code_hash": code_hash(ctx.secret_key, code), "food": FOODS[i % len(FOODS)],
            "phone_hash": keyed_hash(ctx.secret_key, "phone", phone),
            "phone_masked": f"{phone[:3]}****{phone[-4:]}", "status": status, "result": result,
            "items": tests[int(rng.integers(0, len(tests)))][:200] if result else None,
            "result_note": ("初筛阳性，已建议停止食用，并通知属地市场监管所对来源摊位抽样送实验室复核。"
                            if result == POSITIVE else None),
            "tested_at": start - timedelta(hours=8) + timedelta(minutes=40) if status in (TESTED, NO_SHOW) else None,
            "tested_by": "demo_tester" if status in (TESTED, NO_SHOW) else None,
            "created_at": min(ctx.now, start - timedelta(hours=8) - timedelta(days=int(rng.integers(0, 5)))),
            "personal_erased_at": None, "is_demo": True})
        if example is None and status == TESTED:
            example = code
    bulk_insert(session, RoomBooking.__table__, rows)
    if example:
        set_meta(session, EXAMPLE_KEY, example)
