"""Demo rapid tests (快检, 演示数据): markets' daily boards over the past years, about 1 % positive
(the positive rates markets report: 0.3–1.5 %), each positive with a follow-up in every state,
some stalls linked to registered demo shops; and demo daily sheets in the layouts public
快检公示 use (data/rapid_tests/columns.json), for the importer's tests and benchmark."""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select

from portal.db import bulk_insert, bulk_insert_values
from portal.importers.rapid_tests import PESTICIDE, TEST_COLUMNS
from portal.rapid_tests.models import (CASE_CLOSED, CASE_FILED, CASE_NONE, NEGATIVE, POSITIVE,
                                       REVIEW_CONFIRMED, REVIEW_NOT_CONFIRMED, REVIEW_PENDING,
                                       RapidFollowUp, RapidMarket, RapidTest)
from portal.registry.models import Business, District

# (sample, item, method): what markets' rooms test each day (蔬菜 for 农残 most of all).
VEGETABLES = ["菠菜", "韭菜", "芹菜", "豇豆", "小白菜", "上海青", "油麦菜", "生菜", "黄瓜", "辣椒",
              "茄子", "西红柿", "大白菜", "空心菜", "苋菜", "芥菜", "香菜", "茼蒿", "四季豆", "苦瓜"]
FRUITS = ["柑橘", "苹果", "梨", "葡萄", "草莓", "猕猴桃"]
OTHER_TESTS = [
    (["猪肉", "牛肉", "羊肉", "猪肝"], "克伦特罗", "胶体金免疫层析法"),
    (["猪肉", "牛肉"], "莱克多巴胺", "胶体金免疫层析法"),
    (["草鱼", "鲫鱼", "鲈鱼", "基围虾"], "孔雀石绿", "胶体金免疫层析法"),
    (["草鱼", "鲫鱼", "基围虾"], "氯霉素", "胶体金免疫层析法"),
    (["鱿鱼", "牛百叶", "海带"], "甲醛", "比色法"),
    (["银耳", "黄花菜", "干辣椒", "生姜"], "二氧化硫", "比色法"),
    (["豆芽", "绿豆芽"], "6-苄基腺嘌呤", "胶体金免疫层析法"),
    (["鸡蛋", "鸭蛋"], "恩诺沙星", "胶体金免疫层析法"),
]
ENZYME = "酶抑制率法（分光光度法）"
MARKET_WORDS = ["中心", "东门", "西门", "南站", "北正街", "人民路", "解放路", "建设路", "永兴", "回龙",
                "滨江", "新华", "朝阳", "和平", "迎宾"]
MARKET_KINDS = ["农贸市场", "农贸市场", "菜市场", "农产品批发市场"]
MARKETS = {"small": 8, "city": 40, "province": 60}
POSITIVE_RATE = 0.01


def _market_names(ctx, count: int, registered: list) -> list[tuple[str, int | None]]:
    """(name, business id): the registry's demo 农贸市场 first, then made-up names."""
    names: list[tuple[str, int | None]] = []
    for business_id, name in registered:        # the registry may hold two of one name
        if len(names) < count and name not in {n for n, _ in names}:
            names.append((name, business_id))
    districts = [d.name for d in ctx.profile.districts]
    i = 0
    while len(names) < count:
        district = districts[i % len(districts)]
        word = MARKET_WORDS[(i // len(districts)) % len(MARKET_WORDS)]
        kind = MARKET_KINDS[i % len(MARKET_KINDS)]
        name = f"{district}{word}{kind}" + (f"（{i // (len(districts) * len(MARKET_WORDS)) + 1}）"
                                            if i >= len(districts) * len(MARKET_WORDS) else "")
        if name not in {n for n, _ in names}:
            names.append((name, None))
        i += 1
    return names


def _test_menu(rng) -> tuple[list[str], list[str], list[str]]:
    """Parallel lists of (sample, item, method), weighted as rooms test: 70 % vegetables."""
    samples, items, methods = [], [], []
    for name in VEGETABLES * 7 + FRUITS * 2:
        samples.append(name)
        items.append(PESTICIDE)
        methods.append(ENZYME)
    for foods, item, method in OTHER_TESTS:
        for food in foods * 3:
            samples.append(food)
            items.append(item)
            methods.append(method)
    return samples, items, methods


def generate_rapid_tests(session, ctx) -> int:
    total = ctx.counts.get("rapid_tests", 0)
    if not total:
        return 0
    rng = np.random.default_rng(int(ctx.rng.integers(0, 2**31)))
    registered = session.execute(
        select(Business.id, Business.name).join(District)
        .where(District.jurisdiction_adcode == ctx.profile.adcode, Business.is_demo.is_(True),
               Business.business_type == "农贸市场").order_by(Business.id)).all()
    shops = session.execute(
        select(Business.id, Business.name).join(District)
        .where(District.jurisdiction_adcode == ctx.profile.adcode, Business.is_demo.is_(True),
               Business.business_type.in_(("食杂店", "便利店"))).order_by(Business.id)
        .limit(2000)).all()
    count = MARKETS.get(ctx.scale, 8)
    markets = _market_names(ctx, count, registered)
    session.execute(RapidMarket.__table__.insert(), [
        {"name": n, "business_id": b, "is_demo": True, "created_at": ctx.now} for n, b in markets])
    market_ids = dict(session.execute(select(RapidMarket.name, RapidMarket.id)).all())
    ids = [market_ids[n] for n, _ in markets]
    samples, items, methods = _test_menu(rng)
    # Every market tests the same number of samples a day, so that the total spans about five
    # years (the scale target: 415,000 results is five years of 张家界's 83,000 a year).
    per_day = max(4, min(15, round(total / (len(ids) * 5 * 365))))
    days = max(1, -(-total // (per_day * len(ids))))
    menu = rng.integers(0, len(samples), total)
    positive = rng.random(total) < POSITIVE_RATE
    values = rng.gamma(2.0, 6.0, total)
    linked = rng.random(total) < 0.08
    surnames = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
    rows = []
    n = 0
    for day_back in range(days):
        day = ctx.today - timedelta(days=day_back)
        for market_id in ids:
            for stall_no in range(per_day):
                if n >= total:
                    break
                k = menu[n]
                sample, item, method = samples[k], items[k], methods[k]
                result = POSITIVE if positive[n] else NEGATIVE
                value = None
                if item == PESTICIDE:
                    pct = 50 + values[n] if result == POSITIVE else min(values[n], 49.9)
                    value = f"{pct:.1f}%"
                stall = f"{'ABCDEF'[stall_no % 6]}{stall_no + 1:02d}"
                business = shops[n % len(shops)] if (linked[n] and shops) else None
                trader = business[1] if business else surnames[n % len(surnames)] + "某某"[: 1 + n % 2]
                key = hashlib.sha1(f"demo|{day}|{market_id}|{stall}|{sample}|{item}".encode()).hexdigest()
                rows.append([key, key, day, market_id, stall, trader, sample, item, method, result,
                             value, "市场快检室", business[0] if business else None, None, True,
                             ctx.now, ctx.now])
                n += 1
    table = RapidTest.__table__
    for start in range(0, len(rows), 20_000):
        bulk_insert_values(session, table, TEST_COLUMNS, rows[start:start + 20_000])
    _follow_ups(session, ctx, rng)
    return len(rows)


def _follow_ups(session, ctx, rng) -> None:
    """Each positive: off sale the same day; older ones reviewed (about a third confirmed),
    a few of those with a case filed or closed."""
    positives = session.execute(select(RapidTest.id, RapidTest.tested_on).where(
        RapidTest.result == POSITIVE, RapidTest.is_demo.is_(True))).all()
    rows = []
    for test_id, tested_on in positives:
        age = (ctx.today - tested_on).days
        review, reviewed, case, filed, closed = REVIEW_PENDING, None, CASE_NONE, None, None
        if age >= 3:
            review = REVIEW_CONFIRMED if rng.random() < 0.35 else REVIEW_NOT_CONFIRMED
            reviewed = tested_on + timedelta(days=int(rng.integers(1, 3)))
        if review == REVIEW_CONFIRMED and rng.random() < 0.5:
            case, filed = CASE_FILED, reviewed + timedelta(days=int(rng.integers(1, 5)))
            if age > 90:
                case, closed = CASE_CLOSED, filed + timedelta(days=int(rng.integers(20, 80)))
            filed = min(filed, ctx.today)
            closed = min(closed, ctx.today) if closed else None
        rows.append({"test_id": test_id, "review": review, "reviewed_on": reviewed,
                     "measures": "下架、销毁", "measures_on": tested_on, "case_status": case,
                     "case_filed_on": filed, "case_closed_on": closed, "updated_at": ctx.now,
                     "updated_by": "system:demo"})
    bulk_insert(session, RapidFollowUp.__table__, rows)


# -- demo sheets to import ----------------------------------------------------------------

BOARD_COLUMNS = ["序号", "摊位号", "经营户", "样品名称", "检测项目", "检测方法", "抑制率（%）", "检测结果",
                 "处理情况"]
SHEET_COLUMNS = ["序号", "检测日期", "市场名称", "摊位号", "被检单位", "样品名称", "检测项目", "检测方法",
                 "抑制率(%)", "检测结果", "备注"]


def sheet_rows(rows: int, start: date, markets: list[str], seed: int = 7) -> list[list]:
    """A district's or testing room's month sheet (layout 2): one row per test, a market
    and a day on every row; about 1 % positive, each with what was done."""
    rng = np.random.default_rng(seed)
    samples, items, methods = _test_menu(rng)
    out = []
    for i in range(rows):
        k = int(rng.integers(0, len(samples)))
        positive = rng.random() < POSITIVE_RATE
        value = ""
        if items[k] == PESTICIDE:
            value = round(float(55 + rng.random() * 30 if positive else rng.random() * 40), 1)
        day = start + timedelta(days=i * 30 // max(rows, 1))
        out.append([i + 1, day.isoformat(), markets[i % len(markets)], f"{'ABCD'[i % 4]}{i % 97 + 1:02d}",
                    f"演示经营户{i % 500}", samples[k], items[k], methods[k], value,
                    "阳性" if positive else "阴性", "已下架销毁" if positive else ""])
    return out


def write_month_sheet(path: Path, rows: int, start: date, markets: list[str], seed: int = 7) -> Path:
    """An .xlsx month sheet (layout 2) with its title rows, labelled 演示数据."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("快检结果")
    sheet.append([f"【演示数据】{start:%Y年%m月}食用农产品快速检测结果公示"])
    sheet.append(["快检结果为现场初筛结果，仅供参考，不作为执法依据"])
    sheet.append(SHEET_COLUMNS)
    for row in sheet_rows(rows, start, markets, seed):
        sheet.append(row)
    sheet.append(["检测单位：演示快检室", "", "审核：演示"])
    book.save(path)
    return path
