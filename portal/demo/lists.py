"""Demo red and black list entries, including some that have ended or were removed early."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.db import bulk_insert
from portal.lists.models import BLACK, RED, ListEntry
from portal.lists.rules import default_dates
from portal.registry.models import CATERING, Business, District

BLACK_REASONS = ["生产经营不符合食品安全标准的食品，受到较重行政处罚",
                 "使用非食品原料生产食品，情节严重",
                 "未取得许可从事食品经营，拒不改正",
                 "经营病死畜禽肉类，受到较重行政处罚"]
RED_REASONS = ["年度量化分级 A 级，诚信经营", "食品安全示范食堂", "“明厨亮灶”示范单位"]


def generate_lists(session, ctx) -> int:
    rng = ctx.rng
    rows = session.execute(
        select(Business.id, Business.name, Business.credit_code, Business.sector).join(District)
        .where(District.jurisdiction_adcode == ctx.profile.adcode, Business.is_demo.is_(True))).all()
    entries = []
    prefix = ctx.profile.name[0]
    for business_id, name, code, sector in rows:
        roll = rng.random()
        if roll < 0.006:
            kind, reason = BLACK, BLACK_REASONS[int(rng.integers(0, len(BLACK_REASONS)))]
        elif roll < 0.02 and sector == CATERING:
            kind, reason = RED, RED_REASONS[int(rng.integers(0, len(RED_REASONS)))]
        else:
            continue
        listed = ctx.today - timedelta(days=int(rng.integers(20, 4 * 365)))
        early, ends = default_dates(kind, listed)
        removed = None
        if kind == BLACK and early <= ctx.today and rng.random() < 0.3:
            removed = early + timedelta(days=int(rng.integers(0, 60)))
            removed = min(removed, ctx.today)
        entries.append({
            "kind": kind, "business_id": business_id, "business_name": name,
            "credit_code": code, "reason": reason, "authority": ctx.profile.bureau,
            "decision_no": f"{prefix}市监处罚〔{listed.year}〕{int(rng.integers(1, 300))}号"
            if kind == BLACK else None,
            "listed_on": listed, "early_removal_from": early, "ends_on": ends,
            "removed_on": removed, "removal_reason": "履行处罚后申请提前移出，经审核同意" if removed else None,
            "is_demo": True, "created_at": ctx.now, "updated_at": ctx.now})
    bulk_insert(session, ListEntry.__table__, entries)
    return len(entries)
