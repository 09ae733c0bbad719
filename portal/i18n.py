"""Languages of the public pages: 简体中文 (the default, and the source text) and English.

Pages write their words in Chinese through t(): `t("共 {n} 家", n=5)`. The English lives in
data/i18n/en.po (gettext PO, read with Babel); `python -m portal i18n` collects new texts
into it (see data/i18n/README.md). A text without English yet shows in Chinese, never blank.
Data stays as published (names, addresses, reasons); data *fields* are labelled in both
languages in English (`both("食品名称")` → "Food name · 食品名称").
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable

LANGUAGES = {"zh": "简体中文", "en": "English"}
DEFAULT = "zh"
SESSION_KEY = "language"
CATALOG_DIR = Path(__file__).resolve().parent.parent / "data" / "i18n"
KEYWORDS = {"t": None, "both": None, "field": None, "N_": None, "page_setup": None,
            "Message": None, "CleanText": None}   # what extraction finds


def N_(text: str) -> str:
    """Marks a text for translation where it is defined (a label in a table of options);
    it is translated where it is shown, with t()."""
    return text


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, str]:
    if language == DEFAULT:
        return {}
    from babel.messages.pofile import read_po

    with open(CATALOG_DIR / f"{language}.po", "rb") as handle:
        messages = read_po(handle)
    return {m.id: m.string for m in messages if m.id and m.string and not m.fuzzy}


def _no_visitor() -> str:
    return DEFAULT


_visitor_language: Callable[[], str] = _no_visitor
# A language chosen for one request outside Streamlit (the door page, portal/web/door.py):
# per thread and task, so concurrent requests in two languages never mix.
_speaking: ContextVar[str | None] = ContextVar("speaking", default=None)


def read_language_from(source: Callable[[], str]) -> None:
    """Where current() finds the visitor's language. portal.ui registers the Streamlit
    session's choice on import; this module stays free of any front end."""
    global _visitor_language
    _visitor_language = source


@contextmanager
def speaking(language: str):
    """t(), day() … in `language` inside the block, whatever the visitor source says."""
    token = _speaking.set(language if language in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _speaking.reset(token)


def current() -> str:
    """The visitor's language: chosen with the switch (kept for the tab) or ?lang=en."""
    chosen = _speaking.get()
    if chosen is not None:
        return chosen
    try:
        return _visitor_language()
    except Exception:      # outside a page run (CLI, API, plain tests)
        return DEFAULT


def english() -> bool:
    return current() == "en"


def t(text: str, /, **values) -> str:
    # text is positional-only: a placeholder may be called {text} ("没有找到“{text}”" on the
    # map crashed with "t() got multiple values for argument 'text'").
    translated = text if current() == DEFAULT else catalog(current()).get(text, text)
    return translated.format(**values) if values else translated


def both(text: str) -> str:
    """A data field's name: Chinese alone, or English with the Chinese beside it (visitors
    compare it with Chinese notices and labels)."""
    if current() == DEFAULT:
        return text
    translated = catalog(current()).get(text)
    return f"{translated} · {text}" if translated else text


def month(value: date) -> str:
    """2026年5月, or May 2026."""
    if current() == DEFAULT:
        return f"{value.year}年{value.month}月"
    from babel.dates import format_date

    return format_date(value, "MMM y", locale="en")


def day(value: date | datetime | None) -> str:
    """2026年11月22日, or 22 Nov 2026."""
    from portal.timeutil import cn_date, to_local

    if value is None or current() == DEFAULT:
        return cn_date(value)
    if isinstance(value, datetime):
        value = to_local(value).date()
    from babel.dates import format_date

    return format_date(value, "d MMM y", locale="en")


def moment(value: datetime | None) -> str:
    from portal.timeutil import cn_datetime, to_local

    if value is None or current() == DEFAULT:
        return cn_datetime(value)
    return f"{day(value)} {to_local(value):%H:%M}"


def count(n: int) -> str:
    """Large counts with 万 in Chinese (UX.md); thousands separators in English."""
    if current() == DEFAULT and n >= 100_000:
        return f"{n / 10_000:.1f}万".replace(".0万", "万")
    return f"{n:,}"


def place(chinese: str, english_name: str = "") -> str:
    """A place or bureau name: Chinese, or in English with the Chinese beside it."""
    if current() == DEFAULT or not english_name:
        return chinese
    return f"{english_name} ({chinese})"


def field(text: str) -> str:
    """A data field's name before its value: "地址：" or "Address · 地址: "."""
    return both(text) + ("：" if current() == DEFAULT else ": ")


def aside(text: str) -> str:
    """A remark in brackets after a value: （…） in Chinese, ( … ) in English."""
    return f"（{text}）" if current() == DEFAULT else f" ({text})"


def zh_only(text: str) -> str:
    """Marks text that only officials see (their workbench is in Chinese), where it sits in
    code shared with public pages."""
    return text
