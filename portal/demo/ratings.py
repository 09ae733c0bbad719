"""Demo ratings: inspections of catering businesses, a few incidents, and 明厨亮灶."""
from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select

from portal.db import bulk_insert
from portal.ratings.models import GradeReply, Incident, Inspection, KitchenDisplay
from portal.registry.models import CATERING, Business, District


def generate_ratings(session, ctx) -> int:
    rng = ctx.rng
    catering = session.execute(
        select(Business.id, Business.business_type).join(District)
        .where(District.jurisdiction_adcode == ctx.profile.adcode, Business.is_demo.is_(True),
               Business.sector == CATERING)).all()
    inspections, incidents, displays = [], [], []
    for business_id, kind in catering:
        canteen = "食堂" in kind or kind in ("中央厨房", "集体用餐配送单位")
        quality = rng.normal(8.6 if canteen else 8.1, 0.7)
        for _ in range(int(rng.integers(0, 5))):
            day = ctx.today - timedelta(days=int(rng.integers(10, 2 * 365)))
            score = float(np.clip(rng.normal(quality, 0.5), 4.5, 10.0))
            inspections.append({"business_id": business_id, "inspected_on": day,
                                "score": round(score, 1), "note": None, "is_demo": True,
                                "created_at": ctx.now})
        if rng.random() < 0.004:
            incidents.append({"business_id": business_id, "is_demo": True,
                              "occurred_on": ctx.today - timedelta(days=int(rng.integers(10, 400))),
                              "description": "演示数据：疑似食源性疾病事件，经调查与该单位有关。"})
        if kind in ("学校食堂", "养老机构食堂"):
            display = "互联网+明厨亮灶" if rng.random() < 0.9 else "视频厨房"
        else:
            display = str(rng.choice(["无", "透明厨房", "视频厨房", "互联网+明厨亮灶"],
                                     p=[0.35, 0.35, 0.15, 0.15]))
        # No stream address in demo data: a made-up link would lead citizens nowhere.
        displays.append({"business_id": business_id, "kind": display, "is_demo": True,
                         "stream_url": None, "updated_at": ctx.now})
    bulk_insert(session, Inspection.__table__, inspections)
    bulk_insert(session, Incident.__table__, incidents)
    bulk_insert(session, KitchenDisplay.__table__, displays)
    bulk_insert(session, GradeReply.__table__, grade_replies(inspections, ctx))
    return len(inspections)


REPLY_TEXTS = [
    "演示数据：检查后我店已更换冷藏柜并重新划分生熟加工区，欢迎顾客监督。",
    "演示数据：检查指出的从业人员健康证过期问题已于当月全部补办，已建立每月核对制度。",
    "演示数据：我们已对后厨防鼠设施进行整改，并请第三方进行了虫害防治，诚请复查。",
]
REPLY_SEED = 2019


def grade_replies(inspections: list[dict], ctx) -> list[dict]:
    """Published replies of some businesses whose last inspection scored low (their own
    generator: the main stream stays as it was)."""
    rng = np.random.default_rng(REPLY_SEED)
    last: dict[int, dict] = {}
    for row in inspections:
        if row["business_id"] not in last or row["inspected_on"] > last[row["business_id"]]["inspected_on"]:
            last[row["business_id"]] = row
    out = []
    for business_id, row in sorted(last.items()):
        if row["score"] < 7.0 and rng.random() < 0.4:
            received = min(row["inspected_on"] + timedelta(days=int(rng.integers(3, 20))), ctx.today)
            out.append({"business_id": business_id, "text": str(rng.choice(REPLY_TEXTS)),
                        "received_on": received, "status": "published", "moderation_note": None,
                        "entered_by": "demo_publisher", "entered_at": ctx.now,
                        "decided_by": "demo_publisher", "decided_at": ctx.now, "is_demo": True})
    return out
