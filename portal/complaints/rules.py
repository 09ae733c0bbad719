"""Deadline rules and lists from data/complaints/rules.json, with an admin's override of the
numbers (stored in portal_meta, audited) for when the law changes."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy.orm import Session

from portal.config import DATA_DIR
from portal.meta import get_meta

OVERRIDE_KEY = "complaint_rules_override"
NUMBER_FIELDS = (("complaint", "accept_working_days", "投诉：决定是否受理（工作日）"),
                 ("complaint", "close_working_days", "投诉：受理后终结调解（工作日）"),
                 ("report", "decide_working_days", "举报：决定是否立案（工作日）"),
                 ("report", "extension_working_days", "举报：延长期限（工作日）"))


@lru_cache(maxsize=1)
def rules() -> dict:
    return json.loads((DATA_DIR / "complaints" / "rules.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class RuleSet:
    id: str
    name: str
    effective_from: date
    source: str
    verified: bool
    accept_days: int
    close_days: int
    decide_days: int
    extension_days: int
    overridden: bool = False


def rule_sets(session: Session | None = None) -> list[RuleSet]:
    """Oldest first; an admin's override replaces the numbers of the set it names."""
    overrides = load_overrides(session) if session is not None else {}
    out = []
    for raw in rules()["rule_sets"]:
        numbers = {f"{k}.{f}": raw[k][f] for k, f, _ in NUMBER_FIELDS}
        mine = overrides.get(raw["id"], {})
        numbers.update({k: int(v) for k, v in mine.items() if k in numbers})
        out.append(RuleSet(raw["id"], raw["name"], date.fromisoformat(raw["effective_from"]),
                           raw["source"], bool(raw["verified"]),
                           numbers["complaint.accept_working_days"],
                           numbers["complaint.close_working_days"],
                           numbers["report.decide_working_days"],
                           numbers["report.extension_working_days"], bool(mine)))
    return sorted(out, key=lambda r: r.effective_from)


def rule_set_for(received_on: date, sets: list[RuleSet]) -> RuleSet:
    """The rules in force on the day a case was received."""
    applicable = [r for r in sets if r.effective_from <= received_on]
    return applicable[-1] if applicable else sets[0]


def rule_set_by_id(rule_id: str, sets: list[RuleSet]) -> RuleSet:
    return next((r for r in sets if r.id == rule_id), sets[-1])


def load_overrides(session: Session) -> dict[str, dict[str, int]]:
    raw = get_meta(session, OVERRIDE_KEY)
    return json.loads(raw) if raw else {}


def categories() -> list[str]:
    return list(rules()["categories"])


def refusal_grounds() -> list[str]:
    return list(rules()["refusal_grounds"])


def outcomes(kind: str) -> list[str]:
    return list(rules()["outcomes"][kind])


def limits() -> dict:
    return dict(rules()["limits"])


def category_codes() -> dict[str, tuple[str, str]]:
    """Category → (stable code, English name), in the order of categories()."""
    table = rules()["category_codes"]
    return {name: tuple(table[name]) for name in categories()}
