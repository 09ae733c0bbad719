"""The rating rules (data/ratings/rules.json) applied to a business's inspections."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from portal.config import DATA_DIR
from portal.validation import Message


@lru_cache(maxsize=1)
def rules() -> dict:
    return json.loads((DATA_DIR / "ratings" / "rules.json").read_text(encoding="utf-8"))


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the end of a shorter month."""
    return day - relativedelta(months=months)


def dynamic_grade(score: float) -> str | None:
    """优秀 / 良好 / 一般, or None when the score is below every cut-off (不予评级)."""
    for cutoff, grade in rules()["dynamic_cutoffs"]["default"]:
        if score >= cutoff:
            return grade
    return None


def annual_grade(scores: list[float]) -> str | None:
    if not scores:
        return None
    average = sum(scores) / len(scores)
    for cutoff, grade in rules()["annual_cutoffs"]["value"]:
        if average >= cutoff:
            return grade
    return None


@dataclass(frozen=True)
class Rating:
    dynamic: str | None          # 优秀 / 良好 / 一般, None when there is no grade now
    face: str | None             # 大笑 / 微笑 / 平脸
    annual: str | None           # A / B / C over the last 12 months
    no_grade_reason: str | None  # why there is no dynamic grade (暂不评级)
    last_inspected_on: date | None
    stale: bool                  # last inspection older than the freshness limit


def rate(inspections: list[tuple[date, float]], licence_date: date | None,
         incidents: list[date], today: date) -> Rating:
    """inspections: (date, score), any order."""
    r = rules()
    ordered = sorted(inspections)
    last = ordered[-1] if ordered else None
    year_ago = months_before(today, 12)
    annual = annual_grade([score for day, score in ordered if day > year_ago])
    stale = last is not None and last[0] < months_before(today, r["stale_months"]["value"])
    reason = None
    if licence_date and licence_date > months_before(today, r["new_licence_months"]["value"]):
        reason = Message("新取得许可证未满 {n} 个月，暂不评级", n=r['new_licence_months']['value'])
    elif any(day > months_before(today, r["incident_months"]["value"]) for day in incidents):
        reason = Message("近 {n} 个月内发生食品安全事故，暂不评级", n=r['incident_months']['value'])
    elif last is None:
        reason = Message("尚未进行量化分级检查")
    dynamic = None if reason else dynamic_grade(last[1])
    if reason is None and dynamic is None:
        reason = Message("最近一次检查评分低于评级标准，不予评级")
    return Rating(dynamic, r["faces"].get(dynamic) if dynamic else None, annual, reason,
                  last[0] if last else None, stale)
