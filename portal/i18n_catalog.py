"""Keeping data/i18n/en.po in step with the code: collect every t()/both()/N_() text from the
public pages and their views, add new ones (empty, to translate), drop ones no longer used."""
from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from portal.i18n import CATALOG_DIR, KEYWORDS

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("# English for the public pages of the food-safety portal (食品安全公开与公众参与门户).\n"
          "# The Chinese in the code is the source; `python -m portal i18n` adds new texts here\n"
          "# with an empty msgstr to translate, and drops texts no longer used.")
SOURCES = ["streamlit_app.py", "pages", "portal/ui", "portal/i18n_terms.py", "portal/home.py",
           "portal/maps.py", "portal/map_layers.py", "portal/validation.py",
           "portal/complaints/filing.py", "portal/complaints/photos.py", "portal/complaints/stats.py",
           "portal/rounds/participation.py", "portal/verification.py", "portal/surveys/responses.py",
           "portal/ratings/rules.py", "portal/rule_sources.py"]


def source_files() -> list[Path]:
    files = []
    for entry in SOURCES:
        path = ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def extract() -> dict[str, list[tuple[str, int]]]:
    """Text → where it is used: the first argument of every t(), both(), N_() and
    page_setup() call, f-strings' inner calls included (Python's own parser, so nothing the
    code can write is missed)."""
    found: dict[str, list[tuple[str, int]]] = {}
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if name in KEYWORDS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                if first.value:
                    found.setdefault(first.value, []).append((str(path.relative_to(ROOT)), node.lineno))
    return found


def load(language: str = "en") -> Catalog:
    path = CATALOG_DIR / f"{language}.po"
    if not path.exists():
        return Catalog(locale=language, project="food-safety-portal")
    with open(path, "rb") as handle:
        return read_po(handle)


def update(language: str = "en") -> tuple[int, int, int]:
    """(texts in the code, new ones added, unused ones dropped)."""
    old = load(language)
    found = extract()
    fresh = Catalog(locale=language, project="food-safety-portal", version="1", fuzzy=False,
                    header_comment=HEADER, copyright_holder="the portal's authors",
                    last_translator="the portal's authors", language_team="the portal's authors",
                    revision_date=old.revision_date, creation_date=old.creation_date)
    added = 0
    for message, places in sorted(found.items()):
        previous = old.get(message)
        if previous is None:
            added += 1
        fresh.add(message, previous.string if previous else "", locations=places)
    dropped = sum(1 for m in old if m.id and m.id not in found)
    with open(CATALOG_DIR / f"{language}.po", "wb") as handle:
        write_po(handle, fresh, width=100, sort_output=True, omit_header=False)
    return len(found), added, dropped


def untranslated(language: str = "en") -> list[str]:
    catalog = load(language)
    return [message for message in extract() if not (catalog.get(message) and catalog.get(message).string)]
