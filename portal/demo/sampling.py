"""Demo sampling results: batches at the jurisdiction's demo businesses, ~2.5 % failed, with
failed items, 核查处置 in every state (some overdue) and a few batches from national
announcements sampled elsewhere (外地: published, at least one failed at every scale, with no
local 核查处置)."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import numpy as np
from sqlalchemy import select

from portal.db import bulk_insert
from portal.numbers import plain, times_ten
from portal.registry.models import CATERING, PRODUCTION, RETAIL, Business, District
from portal.sampling.models import (CHECKING, DISPOSED, PENDING, BatchReview, Disposal, FailedItem,
                                    SamplingBatch)
from portal.sampling.reviews import KINDS, OBJECTION, OVERTURNED, RETEST, UPHELD
from portal.sampling.rules import rules
from portal.sampling.search_index import bigram_text, index_inserted, last_batch_id
from portal.workdays import load_calendar

FOODS = {
    "粮食加工品": (["大米", "小麦粉", "挂面", "米粉", "玉米粉"], ["镉", "黄曲霉毒素B1", "脱氧雪腐镰刀菌烯醇"]),
    "食用油、油脂及其制品": (["菜籽油", "花生油", "大豆油", "食用植物调和油"], ["酸价", "过氧化值", "黄曲霉毒素B1"]),
    "调味品": (["酱油", "食醋", "辣椒酱", "鸡精调味料", "味精"], ["氨基酸态氮", "总酸", "苯甲酸及其钠盐"]),
    "肉制品": (["腊肉", "香肠", "酱卤猪肉", "熏肉", "猪肉松"], ["亚硝酸盐", "苯甲酸及其钠盐", "菌落总数"]),
    "乳制品": (["纯牛奶", "酸奶", "调制乳粉"], ["蛋白质", "大肠菌群", "黄曲霉毒素M1"]),
    "饮料": (["饮用天然矿泉水", "果汁饮料", "茶饮料", "饮用纯净水"], ["菌落总数", "大肠菌群", "甜蜜素"]),
    "糕点": (["面包", "月饼", "蛋糕", "桃酥"], ["菌落总数", "霉菌", "脱氢乙酸及其钠盐", "酸价"]),
    "蔬菜及其制品": (["菠菜", "豇豆", "韭菜", "芹菜", "辣椒", "酱腌菜"], ["毒死蜱", "克百威", "腐霉利", "灭蝇胺", "甲拌磷"]),
    "水果及其制品": (["柑橘", "苹果", "猕猴桃", "果脯"], ["氧乐果", "啶虫脒", "二氧化硫残留量"]),
    "水产及其制品": (["草鱼", "鲫鱼", "基围虾", "鱿鱼"], ["恩诺沙星", "孔雀石绿", "呋喃唑酮代谢物", "镉"]),
    "畜禽肉及副产品": (["猪肉", "牛肉", "鸡肉", "猪肝", "羊肉"], ["恩诺沙星", "磺胺类", "氯霉素", "地塞米松"]),
    "蛋及蛋制品": (["鸡蛋", "鸭蛋", "皮蛋"], ["恩诺沙星", "铅"]),
    "豆制品": (["豆腐", "豆干", "腐竹"], ["苯甲酸及其钠盐", "脱氢乙酸及其钠盐", "铝的残留量"]),
    "餐饮食品": (["油条", "凉皮", "湿米粉", "卤味"], ["铝的残留量", "苯甲酸及其钠盐", "大肠菌群"]),
    "酒类": (["白酒", "啤酒", "米酒"], ["酒精度", "甜蜜素", "糖精钠"]),
    "茶叶及相关制品": (["绿茶", "莓茶", "红茶"], ["铅", "毒死蜱"]),
    "速冻食品": (["速冻饺子", "汤圆", "猪肉水饺"], ["过氧化值", "菌落总数"]),
}
CATEGORY_WEIGHTS = np.array([8, 5, 7, 6, 4, 5, 6, 14, 8, 8, 10, 4, 5, 6, 3, 2, 3], dtype=float)
# What each type of sampled unit sells or cooks: a batch's food comes from a category its unit
# fits (no 酱卤猪肉 taken at a 果汁店). Every retail and catering type of the demo registry.
_SHELF = ("粮食加工品", "食用油、油脂及其制品", "调味品", "肉制品", "乳制品", "饮料", "糕点",
          "酒类", "速冻食品")
_FRESH = ("蔬菜及其制品", "水果及其制品", "水产及其制品", "畜禽肉及副产品", "蛋及蛋制品", "豆制品")
_KITCHEN = ("餐饮食品", "粮食加工品", "食用油、油脂及其制品", "调味品", "蔬菜及其制品",
            "畜禽肉及副产品", "蛋及蛋制品", "豆制品")
_CANTEEN = (*_KITCHEN, "水产及其制品", "水果及其制品", "乳制品")
_BANQUET = (*_KITCHEN, "水产及其制品", "肉制品", "酒类")
SOLD_AT = {
    "超市": (*_SHELF, *_FRESH, "茶叶及相关制品"),
    "便利店": _SHELF,
    "食杂店": (*_SHELF, "蛋及蛋制品", "茶叶及相关制品"),
    "农贸市场": (*_FRESH, "粮食加工品", "食用油、油脂及其制品", "调味品", "肉制品"),
    "餐馆": _BANQUET,
    "快餐店": _KITCHEN,
    "小吃店": (*_KITCHEN, "肉制品", "速冻食品"),  # 卤味店, 饺子馆
    "饮品店": ("饮料", "乳制品", "水果及其制品", "茶叶及相关制品", "糕点"),
    "学校食堂": _CANTEEN, "养老机构食堂": _CANTEEN, "机关食堂": _CANTEEN, "企业食堂": _CANTEEN,
    "工地食堂": _KITCHEN, "中央厨房": _CANTEEN, "集体用餐配送单位": _CANTEEN,
    "农村集体聚餐场所": _BANQUET,
}
# A local producer makes what its name says (portal.demo.businesses.PRODUCTS).
MADE_BY = {
    "粮食加工品": ("粮油", "食品"), "食用油、油脂及其制品": ("粮油",), "调味品": ("调味品", "食品"),
    "肉制品": ("肉制品", "食品"), "饮料": ("饮料",), "糕点": ("食品",), "豆制品": ("豆制品",),
    "酒类": ("酒业",), "茶叶及相关制品": ("茶业",), "速冻食品": ("食品", "肉制品"),
}
# item: (limit kind, limit, unit)
LIMITS = {
    "镉": ("max", 0.2, "mg/kg"), "铅": ("max", 0.2, "mg/kg"), "黄曲霉毒素B1": ("max", 10, "μg/kg"),
    "脱氧雪腐镰刀菌烯醇": ("max", 1000, "μg/kg"), "酸价": ("max", 3, "mg/g"),
    "过氧化值": ("max", 0.25, "g/100g"), "氨基酸态氮": ("min", 0.4, "g/100mL"),
    "总酸": ("min", 3.5, "g/100mL"), "苯甲酸及其钠盐": ("max", 1.0, "g/kg"),
    "亚硝酸盐": ("max", 30, "mg/kg"), "菌落总数": ("max", 100000, "CFU/g"),
    "蛋白质": ("min", 2.9, "g/100g"), "大肠菌群": ("max", 100, "CFU/g"),
    "黄曲霉毒素M1": ("max", 0.5, "μg/kg"), "甜蜜素": ("max", 0.65, "g/kg"),
    "霉菌": ("max", 150, "CFU/g"), "脱氢乙酸及其钠盐": ("max", 0.5, "g/kg"),
    "毒死蜱": ("max", 0.1, "mg/kg"), "克百威": ("max", 0.02, "mg/kg"), "腐霉利": ("max", 0.2, "mg/kg"),
    "灭蝇胺": ("max", 0.5, "mg/kg"), "甲拌磷": ("max", 0.01, "mg/kg"), "氧乐果": ("max", 0.02, "mg/kg"),
    "啶虫脒": ("max", 0.5, "mg/kg"), "二氧化硫残留量": ("max", 0.35, "g/kg"),
    "恩诺沙星": ("max", 100, "μg/kg"), "孔雀石绿": ("none", 0, "μg/kg"),
    "呋喃唑酮代谢物": ("none", 0, "μg/kg"), "磺胺类": ("max", 100, "μg/kg"),
    "氯霉素": ("none", 0, "μg/kg"), "地塞米松": ("max", 0.75, "μg/kg"),
    "铝的残留量": ("max", 100, "mg/kg"), "酒精度": ("min", 52, "%vol"),
    "糖精钠": ("max", 0.15, "g/kg"),
}
FAIL_RATE = 0.025
ELSEWHERE = ["长沙市岳麓区", "株洲市天元区", "常德市武陵区", "重庆市渝中区", "广州市天河区", "杭州市西湖区"]
CHUNK = 20_000


def _written(value: float, unit: str) -> str:
    """A value as announcements print it: counts of 10,000 and more as 3.9×10⁵CFU/g, other
    values as plain decimals with three significant digits (never Python's 3.93e+05)."""
    if unit.startswith("CFU") and value >= 10_000:
        return f"{times_ten(value)}{unit}"
    return f"{plain(value, 3)}{unit}"


def _item_values(rng, item: str) -> tuple[str, str]:
    kind, limit, unit = LIMITS.get(item, ("max", 1.0, "mg/kg"))
    if kind == "none":
        return f"{rng.uniform(0.3, 8):.2f}{unit}", "不得检出"
    if kind == "min":
        return _written(limit * rng.uniform(0.4, 0.9), unit), f"≥{plain(limit)}{unit}"
    return _written(limit * rng.uniform(1.2, 6), unit), f"≤{plain(limit)}{unit}"


def _fitting(rng, drawn: np.ndarray, unit_types: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Each batch's category index, drawn (by CATEGORY_WEIGHTS) among the categories its
    unit's type sells or serves; batches in `keep` (sampled elsewhere) keep the drawn one."""
    categories = list(FOODS)
    out = drawn.copy()
    for kind in sorted(set(unit_types.tolist())):
        rows = np.flatnonzero((unit_types == kind) & ~keep)
        allowed = np.array([categories.index(c) for c in SOLD_AT[kind]])
        weights = CATEGORY_WEIGHTS[allowed] / CATEGORY_WEIGHTS[allowed].sum()
        out[rows] = allowed[rng.choice(len(allowed), size=len(rows), p=weights)]
    return out


def _makers(producers) -> dict[str, list]:
    """Category -> the local producers whose name says they make it."""
    return {category: [p for p in producers
                       if any(p.name.endswith(word + "有限公司") for word in words)]
            for category, words in MADE_BY.items()}


def generate_sampling(session, ctx) -> int:
    rng = ctx.rng
    count = ctx.counts["sampling_batches"]
    district_codes = [d.adcode for d in ctx.profile.districts]
    units = session.execute(
        select(Business.id, Business.name, Business.district_adcode, Business.address,
               Business.business_type)
        .join(District).where(District.jurisdiction_adcode == ctx.profile.adcode,
                              Business.is_demo.is_(True),
                              Business.sector.in_((RETAIL, CATERING)))).all()
    producers = session.execute(
        select(Business.id, Business.name, Business.address).join(District)
        .where(District.jurisdiction_adcode == ctx.profile.adcode, Business.is_demo.is_(True),
               Business.sector == PRODUCTION)).all()
    if not units or not district_codes:
        return 0
    categories = list(FOODS)
    weights = CATEGORY_WEIGHTS / CATEGORY_WEIGHTS.sum()
    cat_idx = rng.choice(len(categories), size=count, p=weights)
    unit_idx = rng.integers(0, len(units), size=count)
    prod_idx = rng.integers(0, max(1, len(producers)), size=count)
    local_producer = rng.random(count) < 0.35
    elsewhere = rng.random(count) < 0.08
    failed = rng.random(count) < FAIL_RATE
    cat_idx = _fitting(rng, cat_idx, np.array([units[j][4] for j in unit_idx]), elsewhere)
    makers = _makers(producers)
    # Every scale shows a failed 外地 batch: published, with no local 核查处置 to count.
    outside = np.flatnonzero(elsewhere)
    if outside.size:
        failed[outside[0]] = True
    days_ago = rng.integers(1, 3 * 365, size=count)
    shelf = rng.integers(3, 150, size=count)
    year_city = ctx.profile.name[0]  # 张家界市 -> 张市监…, the usual abbreviation
    batches, items, disposals = [], [], []
    written = 0
    indexed_up_to = last_batch_id(session)

    def flush():
        nonlocal batches, items, disposals, written
        if not batches:
            return
        bulk_insert(session, SamplingBatch.__table__, batches)
        keys = [row["key"] for row in items]
        ids = {}
        for start in range(0, len(keys), 500):
            ids.update(session.execute(select(SamplingBatch.identity_key, SamplingBatch.id)
                                       .where(SamplingBatch.identity_key.in_(keys[start:start + 500]))).all())
        for rows, table in ((items, FailedItem.__table__), (disposals, Disposal.__table__)):
            bulk_insert(session, table, [{**{k: v for k, v in row.items() if k != "key"},
                                          "batch_id": ids[row["key"]]} for row in rows])
        written += len(batches)
        batches, items, disposals = [], [], []

    for i in range(count):
        category = categories[cat_idx[i]]
        foods, hazards = FOODS[category]
        food = foods[i % len(foods)]
        announced = ctx.today - timedelta(days=int(days_ago[i]))
        produced = announced - timedelta(days=int(shelf[i]))
        issue_no = (announced.timetuple().tm_yday // 14) + 1
        announcement_no = f"{year_city}市监抽检〔{announced.year}〕{issue_no}号"
        if elsewhere[i]:
            place = ELSEWHERE[i % len(ELSEWHERE)]
            unit_name, unit_addr, district, unit_id, in_j = \
                f"{place}{ctx.faker.last_name()}记食品商行", place, None, None, False
        else:
            unit_id, unit_name, district, unit_addr, _ = units[unit_idx[i]]
            in_j = True
        local = makers.get(category)
        if local_producer[i] and local:
            producer_id, producer_name, producer_addr = local[prod_idx[i] % len(local)]
        elif category in ("蔬菜及其制品", "水果及其制品", "水产及其制品", "畜禽肉及副产品", "餐饮食品"):
            producer_id, producer_name, producer_addr = None, None, None  # 散装/自制
        else:
            producer_id = None
            producer_name = f"湖南{ctx.faker.last_name()}氏{category[:2]}食品有限公司"
            producer_addr = "湖南省长沙市望城区经济开发区"
        batch_text = produced.isoformat()
        key = hashlib.sha1(f"demo|{i}|{food}|{unit_name}|{batch_text}".encode()).hexdigest()
        result = "不合格" if failed[i] else "合格"
        batches.append({
            "identity_key": key, "content_hash": key, "food_name": food,
            "producer_name": producer_name, "producer_address": producer_addr,
            "sampled_unit": unit_name, "sampled_address": unit_addr, "sampled_province": None,
            "specification": "散装" if producer_name is None else "500g/袋",
            "trademark": None, "production_date": produced, "production_batch": batch_text,
            "category": category, "subcategory": None, "announcement_no": announcement_no,
            "announcement_date": announced, "task_source": f"{ctx.profile.bureau}监督抽检",
            "inspection_agency": f"{ctx.profile.name}食品药品检验所", "remark": None,
            "result": result, "in_jurisdiction": in_j, "district_adcode": district,
            "sampled_business_id": unit_id, "producer_business_id": producer_id,
            "import_id": None,
            "search_bigrams": bigram_text(food, producer_name, unit_name),
            "is_demo": True, "created_at": ctx.now, "updated_at": ctx.now,
        })
        if failed[i]:
            hazard = hazards[int(rng.integers(0, len(hazards)))]
            value, standard = _item_values(rng, hazard)
            items.append({"key": key, "position": 0, "item": hazard, "result_value": value,
                          "standard_value": standard})
            due = announced + timedelta(days=90)
            age = int(days_ago[i])
            roll = rng.random()
            if age > 120 and roll < 0.92 or age > 45 and roll < 0.5:
                status = DISPOSED
            elif age > 10 and roll < 0.85:
                status = CHECKING
            else:
                status = PENDING
            done = status == DISPOSED
        if failed[i] and in_j:   # 核查处置 is this bureau's duty only for batches sampled here
            disposals.append({
                "key": key, "status": status, "due_on": due,
                "measures": "下架、立案调查、罚款" if done else ("下架" if status == CHECKING else None),
                "document_no": f"{year_city}市监处罚〔{announced.year}〕{int(rng.integers(1, 400))}号" if done else None,
                "started_on": announced + timedelta(days=3) if status != PENDING else None,
                "completed_on": min(ctx.today, announced + timedelta(days=int(rng.integers(20, 80)))) if done else None,
                "public_note": "已责令经营者下架召回问题产品，依法立案查处。" if done else None,
                "updated_at": ctx.now, "updated_by": "system:demo"})
        if len(batches) >= CHUNK:
            flush()
    flush()
    index_inserted(session, indexed_up_to)
    bulk_insert(session, BatchReview.__table__, demo_reviews(session, ctx))
    return written


REVIEW_SEED = 3515


def demo_reviews(session, ctx) -> list[dict]:
    """复检 / 异议 on about one failed batch in twelve sampled here (their own generator: the
    main stream stays as it was): applied within the rules' working days, decided after about
    three weeks, mostly upheld."""
    rng = np.random.default_rng(REVIEW_SEED)
    calendar = load_calendar(session)
    failed = session.execute(select(SamplingBatch.id, SamplingBatch.announcement_date).where(
        SamplingBatch.is_demo.is_(True), SamplingBatch.result == "不合格",
        SamplingBatch.in_jurisdiction.is_(True), SamplingBatch.sampled_business_id.is_not(None))
        .order_by(SamplingBatch.id)).all()
    out = []
    for batch_id, announced in failed:
        if rng.random() >= 1 / 12:
            continue
        kind = RETEST if rng.random() < 0.75 else OBJECTION
        notified = announced - timedelta(days=int(rng.integers(12, 25)))
        due = calendar.add_working_days(notified, rules()[KINDS[kind]]["value"]).day
        applied = notified + timedelta(days=int(rng.integers(1, 5)))
        decided = applied + timedelta(days=int(rng.integers(14, 30)))
        open_now = decided > ctx.today
        out.append({"batch_id": batch_id, "kind": kind, "notified_on": notified, "applied_on": min(applied, due),
                    "due_on": due, "outcome": None if open_now else (OVERTURNED if rng.random() < 0.2 else UPHELD),
                    "decided_on": None if open_now else decided, "entered_by": "demo_publisher",
                    "updated_at": ctx.now, "is_demo": True})
    return out
