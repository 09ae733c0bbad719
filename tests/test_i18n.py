"""English for visitors: every public page that offers English has no Chinese left outside
t()/both(), every text has an English translation with the same placeholders, and the pages
draw in English (AppTest and, in test_browser.py, the switch in a real browser)."""
from __future__ import annotations

import ast
import re
import string

import pytest

from conftest import ROOT
from portal.i18n_catalog import extract, load, untranslated

CJK = re.compile(r"[\u4e00-\u9fff]")
TRANSLATING_CALLS = {"t", "both", "field", "N_", "place", "term", "page_setup", "Message",
                     "zh_only",   # officials' words in code shared with public pages
                     # Downloads keep the Chinese column spec and notes of the open-data files.
                     "download_buttons"}
# Functions whose Chinese is not for the English reader: the notes written into downloaded
# files.
EXEMPT_FUNCTIONS = {("portal/ui/widgets.py", "download_buttons"),
                    # the analysts' dashboard (满意度统计), an official page in Chinese
                    *(("portal/ui/survey_views.py", name) for name in
                      ("estimate_frame", "dont_know_frame", "score_bars", "trend_chart",
                      "table_downloads"))}
# Modules whose every text is translated (what English pages draw with).
ENGLISH_MODULES = {"portal/ui/home_page.py", "portal/ui/widgets.py", "portal/ui/rating_views.py",
                   "portal/ui/list_views.py", "portal/ui/i18n_views.py", "portal/ui/sampling_views.py",
                   "portal/ui/complaint_views.py", "portal/ui/complaint_stats_views.py",
                   "portal/ui/round_views.py", "portal/ui/verify.py", "portal/ui/survey_views.py",
                   "portal/ui/nearby_views.py", "portal/ui/browser.py", "portal/ui/test_room_views.py",
                   "portal/ui/badge_views.py", "portal/ui/rapid_views.py",
                   "portal/ui/notice_views.py", "portal/ui/notice_offers.py", "portal/ui/voter_notice_views.py"}
# portal.ui modules with no text of their own for visitors (layout's own texts are the
# officials' sign-in messages; its visitor texts are checked in test_layout_texts).
NO_TEXT = {"cached", "nav", "layout", "clients", "charts", "folium_views", "page_links"}


def english_pages() -> list[str]:
    pages = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        if re.search(r"page_setup\([^)]*english=True", path.read_text()):
            pages.append(f"pages/{path.name}")
    return pages


def _parents(tree):
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def untranslated_literals(path: str) -> list[str]:
    """Chinese string literals not inside a translating call, a docstring, a comparison or
    a dictionary lookup (those are data values, not text for the reader)."""
    tree = ast.parse((ROOT / path).read_text())
    parents = _parents(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)):
            continue
        up, ok = node, False
        while up in parents:
            parent = parents[up]
            if isinstance(parent, ast.Call):
                func = parent.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in TRANSLATING_CALLS:
                    ok = True
                    break
            if isinstance(parent, ast.FunctionDef) and (path, parent.name) in EXEMPT_FUNCTIONS:
                ok = True
                break
            if isinstance(parent, ast.Expr) and isinstance(parent.value, ast.Constant):
                ok = True      # a docstring
                break
            if isinstance(parent, (ast.Compare, ast.Subscript)) or (
                    isinstance(parent, ast.keyword) and parent.arg in ("key", "sheet", "extra_notes")):
                ok = True
                break
            up = parent
        if not ok:
            found.append(f"{path}:{node.lineno}: {node.value[:30]}")
    return found


def test_some_public_pages_offer_english():
    assert {"pages/business.py", "pages/lists.py"} <= set(english_pages())


@pytest.mark.parametrize("path", ["streamlit_app.py"] + english_pages() + sorted(ENGLISH_MODULES))
def test_no_chinese_is_left_untranslated(path):
    assert untranslated_literals(path) == []


def test_english_pages_draw_only_with_translated_views():
    for page in english_pages():
        tree = ast.parse((ROOT / page).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("portal.ui"):
                module = node.module.split(".")[-1] if node.module != "portal.ui" else None
                names = [module] if module else [a.name for a in node.names]
                for name in names:
                    assert name in NO_TEXT or f"portal/ui/{name}.py" in ENGLISH_MODULES, (page, name)


def test_every_text_has_english_with_the_same_placeholders():
    assert untranslated("en") == []
    catalog = load("en")
    fields = lambda text: {f[1] for f in string.Formatter().parse(text) if f[1]}  # noqa: E731
    for message in extract():
        english = catalog.get(message).string
        # English, though it may quote Chinese (search examples, the 演示数据 label).
        assert re.search(r"[A-Za-z]{2}", english), message
        assert fields(english) == fields(message), message


def test_every_bold_text_opens_and_closes_in_both_languages():
    """Streamlit's front end reads markdown as CommonMark, where ** beside CJK punctuation may
    not count as emphasis: "在**严重违法失信名单（黑榜）**上" showed its stars on the business
    page (the closing ** follows "）" and precedes a letter). Each text, Chinese and English,
    with its placeholders filled, must leave no ** in the rendered HTML (a masked number such
    as 138****1234 aside)."""
    from markdown_it import MarkdownIt

    commonmark = MarkdownIt("commonmark")
    masked = re.compile(r"\d\*{4,}\d")
    catalog = load("en")
    broken = []
    for message in extract():
        for text in (message, catalog.get(message).string):
            filled = re.sub(r"\{[^{}]*\}", "张家界", text)
            if "**" in masked.sub("", commonmark.render(filled)):
                broken.append(text)
    assert broken == []


def test_the_catalog_holds_no_stale_texts():
    used = set(extract())
    stale = [m.id for m in load("en") if m.id and m.id not in used]
    assert stale == [], "run: python -m portal i18n"


def _open_in_english(path: str, **query):
    from streamlit.testing.v1 import AppTest

    from helpers.pages import ENTRY

    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.session_state["language"] = "en"
    at.run()
    if path != "streamlit_app.py":
        at.switch_page(path)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
    return at


def _visible_text(at) -> str:
    from helpers.pages import texts

    return texts(at) + "\n".join(str(m.label) for m in at.metric)


FORMS = {"pages/complaint.py", "pages/complaint_track.py"}   # no data shown before one fills them
NO_DATA = FORMS | {"pages/sitemap.py"}                         # the site map lists pages only


@pytest.mark.parametrize("path", ["streamlit_app.py"] + english_pages())
def test_english_pages_draw_in_english(app_env, path):
    at = _open_in_english(path)
    assert not at.exception, at.exception
    body = _visible_text(at)
    if path not in NO_DATA:
        assert "Demo data (演示数据)" in body      # the demo label survives translation
    latin = len(re.findall(r"[A-Za-z]", body))
    chinese = len(CJK.findall(body))
    assert latin > chinese, (path, body[:400])   # names, addresses and reasons stay Chinese
    assert "This page is in Chinese only" not in body


def test_every_public_page_offers_english_and_official_pages_say_they_do_not(app_env):
    from portal.ui.nav import PAGES, PUBLIC

    public = {p.path for p in PAGES if p.section == PUBLIC} - {"streamlit_app.py"}
    assert public <= set(english_pages())
    at = _open_in_english("pages/login.py")
    assert "This page is in Chinese only for now" in _visible_text(at)


def test_the_questionnaire_has_english_for_every_text():
    from portal.surveys.definition import load_survey, survey_texts, survey_translation

    english = survey_translation("food_safety_2026", "en")
    assert [text for text in survey_texts(load_survey()) if not english.get(text)] == []
    assert not set(english) - set(survey_texts(load_survey()))    # nothing stale


def test_link_with_lang_opens_in_english_and_chinese_stays_the_default(app_env):
    from streamlit.testing.v1 import AppTest

    from helpers.pages import ENTRY

    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value.startswith("Food safety in Zhangjiajie")
    chinese = AppTest.from_file(ENTRY, default_timeout=60)
    chinese.run()
    assert chinese.title[0].value == "张家界市食品安全"


def test_business_page_labels_fields_in_both_languages(app_env):
    import sqlite3

    _open_in_english("streamlit_app.py")        # first start: database and demo data
    with sqlite3.connect(app_env / "app.sqlite3") as conn:
        business_id = conn.execute(
            "SELECT id FROM businesses WHERE sector = 'catering' ORDER BY id LIMIT 1").fetchone()[0]
    at = _open_in_english("pages/business.py", id=str(business_id))
    body = _visible_text(at)
    assert "Address · 地址" in body and "Unified social credit code · 统一社会信用代码" in body
    assert "Food-safety rating of catering businesses" in body


def test_a_visitor_files_a_complaint_in_english_and_errors_come_in_english(app_env):
    from test_complaint_pages import NAME, PHONE, _business_id, _fill
    from helpers.pages import texts

    at = _open_in_english("streamlit_app.py")
    at.session_state["c_business"] = _business_id(app_env)
    at.switch_page("pages/complaint.py").run()
    _fill(at, "too short")
    at.text_input(key="c_phone").input("12345")
    next(b for b in at.button if b.label == "Submit").click()
    at.run()
    body = texts(at)
    assert "Please correct the following and submit again:" in body
    assert "**Description**: Description needs at least 10 characters" in body
    assert "**Mobile number**: The mobile number is not valid" in body
    assert at.text_input(key="c_name").value == NAME and not at.code   # kept, nothing filed
    at.text_input(key="c_phone").input(PHONE)
    at.text_area(key="c_description").input("The noodles I bought had a piece of wire in them.")
    next(b for b in at.button if b.label == "Submit").click()
    at.run()
    assert "We have received your complaint." in texts(at)
    assert at.code[0].value.startswith("TS")
