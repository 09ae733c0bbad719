"""Sampling's rules as data (data/sampling/rules.json): the public disclaimer, the categories
that are not food, and the 核查处置 deadline counted from the announcement."""
from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache

from portal.config import DATA_DIR


@lru_cache(maxsize=1)
def rules() -> dict:
    return json.loads((DATA_DIR / "sampling" / "rules.json").read_text(encoding="utf-8"))


def disclaimer() -> str:
    return rules()["disclaimer"]


def disposal_due(announced: date | None) -> date | None:
    if announced is None:
        return None
    return announced + timedelta(days=int(rules()["disposal_days"]["value"]))
