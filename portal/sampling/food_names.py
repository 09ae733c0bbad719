"""English food names for the sampling search, from data/sampling/food_names_en.json.

Announcements name foods in Chinese only. An English visitor's "pork" becomes the Chinese
terms it stands for (猪肉, 猪肝, 排骨 …), any of which may match; the keyword itself is kept
too (a producer may carry a Latin name). Any other keyword, Chinese included, is searched
as typed.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from portal.config import DATA_DIR

_LATIN = re.compile(r"[a-z][a-z '\-]*")


@lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[str, ...]]:
    """English name (lower case) → Chinese search terms."""
    data = json.loads((DATA_DIR / "sampling" / "food_names_en.json").read_text(encoding="utf-8"))
    index: dict[str, tuple[str, ...]] = {}
    for entry in data["foods"]:
        for name in entry["en"]:
            index[_norm(name)] = tuple(dict.fromkeys(index.get(_norm(name), ()) + tuple(entry["zh"])))
    return index


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


def _singulars(word: str) -> list[str]:
    """noodles → noodle, candies → candy, tomatoes → tomato (the glossary lists one form)."""
    forms = []
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s"):
        forms.append(word[:-1])
    return forms


def chinese_terms(keyword: str) -> tuple[str, ...]:
    """The Chinese terms of an English food name, or () when the keyword is not one."""
    key = _norm(keyword)
    if not _LATIN.fullmatch(key):
        return ()
    index = glossary()
    for form in (key, *_singulars(key)):
        if form in index:
            return index[form]
    return ()


def search_terms(keyword: str) -> list[str]:
    """What a search for `keyword` looks for, any one sufficing: the keyword itself, and
    for an English food name its Chinese terms."""
    return list(dict.fromkeys([keyword, *chinese_terms(keyword)]))
