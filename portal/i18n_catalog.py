"""Keeping data/i18n/en.po in step with the code: collect every t()/both()/N_() text from the
public pages and their views, add new ones (empty, to translate), drop ones no longer used.

Babel does the work: extract_from_file with the keywords of portal.i18n, and Catalog.update
to merge. Only the extraction method is the portal's own (extract_calls, see why there).
"""
from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
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
           "portal/ratings/rules.py", "portal/rule_sources.py", "portal/web/door.py",
           "portal/registry/models.py", "portal/sampling/models.py",
           "portal/test_rooms/models.py", "portal/test_rooms/rules.py", "portal/test_rooms/booking.py",
           "portal/web/badges.py", "portal/registry/records.py", "portal/sampling/reviews.py",
           "portal/rapid_tests/rules.py", "portal/rapid_tests/models.py", "portal/notices/follows.py",
           "portal/notices/mobile.py", "portal/web/notices.py", "portal/notices/voters.py",
           "portal/complaints/follow_up.py", "portal/complaints/models.py"]


def source_files() -> list[Path]:
    files = []
    for entry in SOURCES:
        path = ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def extract_calls(fileobj, keywords, comment_tags, options):
    """A Babel extraction method: (line, function, text, comments) for every call of a keyword
    whose first argument is a literal string, read with Python's own parser.

    Babel's built-in "python" method reads tokens instead, and on Python 3.11 that misses
    what the pages write: it cannot look inside f-strings (f"{field('统一社会信用代码')}…",
    22 texts), and it takes a string from anywhere in the arguments (t(DEFINITIONS["received"])
    would add "received" as a text)."""
    for node in ast.walk(ast.parse(fileobj.read())):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        first = node.args[0]
        if name in keywords and isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield node.lineno, name, first.value, []


def extract() -> dict[str, list[tuple[str, int]]]:
    """Text → where it is used: the first argument of every t(), both(), N_(), page_setup()
    … call (KEYWORDS), f-strings' inner calls included; Babel drops empty texts."""
    found: dict[str, list[tuple[str, int]]] = {}
    for path in source_files():
        where = str(path.relative_to(ROOT))
        for lineno, message, _comments, _context in extract_from_file(extract_calls, path,
                                                                      keywords=KEYWORDS):
            found.setdefault(message, []).append((where, lineno))
    return found


def load(language: str = "en") -> Catalog:
    path = CATALOG_DIR / f"{language}.po"
    if not path.exists():
        return Catalog(locale=language, project="food-safety-portal", version="1", fuzzy=False,
                       header_comment=HEADER, copyright_holder="the portal's authors",
                       last_translator="the portal's authors",
                       language_team="the portal's authors")
    with open(path, "rb") as handle:
        return read_po(handle)


def update(language: str = "en") -> tuple[int, int, int]:
    """(texts in the code, new ones added, unused ones dropped)."""
    catalog = load(language)
    found = extract()
    template = Catalog(fuzzy=False)
    for message, places in found.items():
        template.add(message, locations=places)
    known = {message.id for message in catalog if message.id}
    # No fuzzy matching: a new text starts empty, so untranslated() lists it, instead of
    # taking a near text's English unseen.
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.header_comment = HEADER
    with open(CATALOG_DIR / f"{language}.po", "wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False,
                 ignore_obsolete=True)
    return len(found), len(set(found) - known), len(catalog.obsolete)


def untranslated(language: str = "en") -> list[str]:
    catalog = load(language)
    return [message for message in extract() if not (catalog.get(message) and catalog.get(message).string)]
