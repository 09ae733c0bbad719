"""Demo businesses: plausible names, addresses, codes and points inside their district."""
from __future__ import annotations

from datetime import timedelta

import numpy as np
from portal.db import bulk_insert

from portal.geo import random_points_in
from portal.registry.codes import make_credit_code
from portal.registry.models import CATERING, PRODUCTION, RETAIL, Business

# (sector, type, weight, credit-code kind) – weights are shares of all registered businesses.
TYPES = [
    (CATERING, "餐馆", 20.0, "92"), (CATERING, "快餐店", 10.0, "92"),
    (CATERING, "小吃店", 16.0, "92"), (CATERING, "饮品店", 7.0, "92"),
    (CATERING, "学校食堂", 3.0, "12"), (CATERING, "养老机构食堂", 0.8, "52"),
    (CATERING, "机关食堂", 0.8, "11"), (CATERING, "企业食堂", 1.5, "91"),
    (CATERING, "工地食堂", 0.6, "91"), (CATERING, "中央厨房", 0.2, "91"),
    (CATERING, "集体用餐配送单位", 0.3, "91"), (CATERING, "农村集体聚餐场所", 0.8, "54"),
    (RETAIL, "超市", 7.0, "91"), (RETAIL, "便利店", 9.0, "92"),
    (RETAIL, "食杂店", 12.0, "92"), (RETAIL, "农贸市场", 1.0, "91"),
    (PRODUCTION, "食品生产企业", 4.0, "91"),
]
SHOP_WORDS = list("福顺鑫源兴旺隆盛和祥瑞丰佳美乐香味鲜德聚汇金宏嘉鸿天百新友家")
CUISINES = ["湘菜", "土家菜", "农家菜", "川菜", "家常菜", "米粉", "面馆", "火锅", "烧烤", "粥铺"]
RESTAURANT_SUFFIX = ["馆", "饭店", "酒楼", "餐厅", "小馆"]
SNACKS = ["米粉店", "面馆", "包子铺", "饺子馆", "烧饼店", "卤味店", "麻辣烫", "粉面馆"]
DRINKS = ["奶茶店", "茶饮店", "咖啡馆", "果汁店"]
FAST = ["快餐店", "中式快餐", "简餐店"]
ROADS = ["人民", "解放", "建设", "朝阳", "新华", "中山", "文化", "和平", "胜利", "工农", "滨江",
         "东风", "迎宾", "南门", "北正", "紫舞", "天门", "回龙", "永兴", "官黎坪"]
ROAD_SUFFIX = ["路", "街", "大道", "巷"]
SCHOOLS = ["第一中学", "第二中学", "实验中学", "实验小学", "第三小学", "中心小学", "幼儿园",
           "职业技术学校", "民族中学"]
PRODUCTS = ["食品", "酒业", "茶业", "粮油", "肉制品", "豆制品", "调味品", "饮料"]
# Staff on the 公示牌: most restaurants name a 食品安全员, the larger canteens and kitchens a
# 食品安全总监 too (the 2022 主体责任 rules ask them of larger operators), and many have a
# 包保责任人 at the local 市场监管所, reached on its office line with an extension.
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐覃田向")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华红建国文")
AREA_CODES = {"zhangjiajie": "0744", "jiaxing": "0573"}   # the demo's office lines
STAFF_SEED = 1908
DIRECTOR_TYPES = {"学校食堂", "养老机构食堂", "机关食堂", "企业食堂", "中央厨房", "集体用餐配送单位"}


def _shop_name(rng, faker) -> str:
    if rng.random() < 0.4:
        return ("老" if rng.random() < 0.5 else "") + faker.last_name() + ("记" if rng.random() < 0.5 else "家")
    a, b = rng.choice(SHOP_WORDS, 2, replace=False)
    return a + b


def business_name(rng, faker, kind: str, district: str, city: str, seq: int) -> str:
    shop = _shop_name(rng, faker)
    place = district[:-1] if len(district) > 2 else district
    if kind == "餐馆":
        return f"{district}{shop}{rng.choice(CUISINES)}{rng.choice(RESTAURANT_SUFFIX)}"
    if kind == "快餐店":
        return f"{district}{shop}{rng.choice(FAST)}"
    if kind == "小吃店":
        return f"{district}{shop}{rng.choice(SNACKS)}"
    if kind == "饮品店":
        return f"{district}{shop}{rng.choice(DRINKS)}"
    if kind == "学校食堂":
        return f"{city}{place}{rng.choice(SCHOOLS)}（{seq}）食堂"
    if kind == "养老机构食堂":
        return f"{district}{rng.choice(ROADS)}{rng.choice(['养老院', '敬老院', '颐养中心'])}食堂"
    if kind == "机关食堂":
        return f"{district}{rng.choice(['人民政府', '政务服务中心', '人民医院', '税务局'])}职工食堂"
    if kind == "企业食堂":
        return f"{city}{shop}{rng.choice(PRODUCTS)}有限公司职工食堂"
    if kind == "工地食堂":
        return f"{city}{shop}建设工程有限公司{rng.choice(ROADS)}项目部工地食堂"
    if kind == "中央厨房":
        return f"{city}{shop}餐饮管理有限公司中央厨房"
    if kind == "集体用餐配送单位":
        return f"{city}{shop}团餐配送有限公司"
    if kind == "农村集体聚餐场所":
        return f"{district}{faker.last_name()}家坪村集体聚餐点"
    if kind == "超市":
        return f"{city}{shop}超市有限公司{place}店"
    if kind == "便利店":
        return f"{district}{shop}便利店"
    if kind == "食杂店":
        return f"{district}{shop}食杂店"
    if kind == "农贸市场":
        return f"{district}{rng.choice(ROADS)}农贸市场"
    return f"{city}{shop}{rng.choice(PRODUCTS)}有限公司"


def _person(rng) -> str:
    return str(rng.choice(SURNAMES)) + "".join(str(c) for c in rng.choice(GIVEN, size=int(rng.integers(1, 3))))


def staff(rng, sector: str, kind: str, area_code: str) -> dict:
    """Demo staff fields for one business (its own generator: the main stream stays as it was)."""
    if sector != CATERING:
        return {}
    out = {}
    if rng.random() < 0.75:
        out["safety_officer"] = _person(rng)
    if kind in DIRECTOR_TYPES and rng.random() < 0.8:
        out["safety_director"] = _person(rng)
    if rng.random() < 0.6:
        out["responsible_official"] = _person(rng)
        out["responsible_phone"] = f"{area_code}-82{rng.integers(0, 10**5):05d} 转 {rng.integers(800, 900)}"
    return out


def generate_businesses(session, ctx) -> int:
    """ctx: DemoContext (rng, faker, profile, count, today). Bulk-inserted in chunks."""
    rng, faker, profile = ctx.rng, ctx.faker, ctx.profile
    shapes = {s.adcode: s for s in profile.shapes()}
    weights = np.array([d.population for d in profile.districts], dtype=float)
    per_district = rng.multinomial(ctx.businesses, weights / weights.sum())
    type_weights = np.array([t[2] for t in TYPES])
    type_weights /= type_weights.sum()
    rows: list[dict] = []
    staff_rng = np.random.default_rng(STAFF_SEED)   # apart from ctx.rng's stream: the rest stays as it was
    area_code = AREA_CODES.get(profile.slug, "0000")
    columns = ("safety_officer", "safety_director", "responsible_official", "responsible_phone")
    seq = 0
    written = 0
    for district, count in zip(profile.districts, per_district):
        shape = shapes[district.adcode]
        points = random_points_in(shape.geometry, int(count), rng)
        approx = rng.random(int(count)) < 0.03
        centre = shape.centre
        types = rng.choice(len(TYPES), size=int(count), p=type_weights)
        for i in range(int(count)):
            seq += 1
            sector, kind, _, code_kind = TYPES[types[i]]
            road = f"{rng.choice(ROADS)}{rng.choice(ROAD_SUFFIX)}"
            lat, lng = centre if approx[i] else points[i]
            body = f"{rng.integers(0, 10**8):08d}"
            prefix = "SC" if sector == PRODUCTION else "JY"
            form = "1" if sector != CATERING else ("3" if "食堂" in kind else "2")
            rows.append({
                "name": business_name(rng, faker, kind, district.name, profile.name, seq),
                "credit_code": make_credit_code(code_kind, district.adcode, body),
                "licence_no": f"{prefix}{form}{district.adcode}{rng.integers(0, 10**7):07d}",
                "licence_date": ctx.today - timedelta(days=int(rng.integers(5, 6 * 365))),
                "sector": sector, "business_type": kind,
                "address": f"{profile.province}{profile.name}{district.name}{road}{rng.integers(1, 400)}号",
                "district_adcode": district.adcode,
                "lat": round(float(lat), 6), "lng": round(float(lng), 6),
                "location_approximate": bool(approx[i]), "is_demo": True,
                "created_at": ctx.now, "updated_at": ctx.now,
                **dict.fromkeys(columns), **staff(staff_rng, sector, kind, area_code),
            })
            if len(rows) >= 5000:
                bulk_insert(session, Business.__table__, rows)
                written += len(rows)
                rows = []
    if rows:
        bulk_insert(session, Business.__table__, rows)
        written += len(rows)
    return written
