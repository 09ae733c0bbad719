"""Plain-language explanations of failed items, from data/sampling/glossary.json."""
from __future__ import annotations

import json
import re
from functools import lru_cache

from portal.config import DATA_DIR


@lru_cache(maxsize=1)
def _entries() -> tuple[list[dict], dict[str, dict]]:
    items = json.loads((DATA_DIR / "sampling" / "glossary.json").read_text(encoding="utf-8"))["items"]
    index = {}
    for entry in items:
        for name in [entry["name"], *entry["aliases"]]:
            index[_key(name)] = entry
    return items, index


def _key(name: str) -> str:
    text = name.translate({0xFF08: "(", 0xFF09: ")"})
    return re.sub(r"\s+", "", text).lower()


def _base(name: str) -> str:
    return re.sub(r"\(.*?\)", "", _key(name))


def explain(item: str, english: bool = False) -> dict | None:
    """The entry for a failed item as printed (铅(以Pb计), 大肠菌群 …), or None: name, kind,
    what, why, causes; in English (from the entry's "en") when asked for."""
    entry = _find(item)
    if entry is None or not english:
        return entry
    return {**entry, **entry["en"]}


def _find(item: str) -> dict | None:
    items, index = _entries()
    key = _key(item)
    if key in index:
        return index[key]
    if _base(item) in index:
        return index[_base(item)]
    # Longest name contained in the printed item (e.g. 菌落总数(CFU/g)).
    candidates = [(len(k), e) for k, e in index.items() if len(k) >= 2 and k in key]
    return max(candidates, key=lambda c: c[0])[1] if candidates else None


def all_entries() -> list[dict]:
    return _entries()[0]
