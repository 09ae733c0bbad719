"""List dates and status from data/lists/rules.json."""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from portal.config import DATA_DIR
from portal.lists.models import BLACK


@lru_cache(maxsize=1)
def rules() -> dict:
    return json.loads((DATA_DIR / "lists" / "rules.json").read_text(encoding="utf-8"))


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    return day + relativedelta(years=years)


def default_dates(kind: str, listed_on: date) -> tuple[date | None, date]:
    """(earliest early-removal date, end date) for a new entry."""
    r = rules()
    if kind == BLACK:
        return (add_years(listed_on, r["black_early_removal_years"]["value"]),
                add_years(listed_on, r["black_removal_years"]["value"]))
    return None, add_years(listed_on, r["red_default_years"]["value"])


def is_active(removed_on: date | None, ends_on: date | None, today: date) -> bool:
    """On the public list: not removed, and the end date not reached (it leaves that day)."""
    return removed_on is None and (ends_on is None or today < ends_on)
