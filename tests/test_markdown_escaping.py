"""Hostile text from imported files and from citizens is shown inert wherever Streamlit renders
markdown (issue 17, abuse 3 and 4): no link, image, HTML, colour, icon, emoji or math made from
it, and a real address in it reads as plain text without backslashes.

The data goes in through the real importers (registry, lists, sampling announcement) and the
citizens' own forms' functions (a 你点我检 proposal); the pages are opened as a visitor opens
them. AppTest reads every string the page hands to Streamlit's markdown; Chromium reads the
rendered DOM."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from helpers.db import app_db, official
from helpers.files import xlsx
from helpers.pages import open_page
from helpers.rounds import move_to, round_form
from portal.accounts.rules import cli_actor
from portal.importers.registry import import_registry
from portal.importers.sampling import import_sampling
from portal.lists.models import ListEntry
from portal.registry.models import Business
from portal.registry.profiles import load_profile
from portal.rounds import management, participation
from portal.sampling.models import SamplingBatch
from portal.ui.widgets import md

pytestmark = pytest.mark.security

WORD_JOINER = "\u2060"
LINK = "[点此领取补贴](https://evil.example/claim)"
IMAGE = "![x](http://evil.example/pixel.png)"
DIRECTIVES = ":red-background[红底] :material/rocket_launch: :smile: $x^2$"
HTML = "<img src=x onerror=alert(1)>"
REAL_URL = "https://real.example/menu_2026?x=1&y=2"
WWW = "www.real.example/a"
DATA_URL = "data:text/html;base64,PHNjcmlwdD4="

NAME = f"张家界{LINK}饭店"
ADDRESS = f"永定区人民路1号 {REAL_URL} {WWW} 电邮 shop@real.example"
REASON = f"{IMAGE}经营过期食品 详见 {REAL_URL} {DIRECTIVES}"
FOOD = f"{IMAGE}腊肉{DIRECTIVES}"
PRODUCER = f"{LINK}食品厂 {HTML}"
PRODUCER_ADDRESS = f"{DATA_URL} 湖南 {WWW}"
ITEM = f"菌落总数{LINK}"
PROPOSAL = f"{LINK}凉皮"
PLACE = f"{REAL_URL} 夜市 {IMAGE}"
# What must never reach a markdown string unescaped (the pages' own links and icons differ).
LIVE = re.compile("|".join([r"补贴\]\(", r"!\[x\]", r"(?<!\\)<img", r":red-background\[",
                            ":material/rocket_launch:", ":smile:", r"(?<!\\)\$x", r"(evil|real)\.example",
                            "https?://(evil|real)", r"www\.real", "shop@real"]))


# --- md() itself -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [NAME, ADDRESS, REASON, FOOD, PRODUCER, PRODUCER_ADDRESS, HTML,
                                  "1. 第一\n# 标题\n> 引用", "a\\b `c` *d* _e_ ~~f~~ |g| {h}"])
def test_md_leaves_no_markdown_syntax(text):
    out = md(text)
    # Every ASCII punctuation mark is escaped, nothing else is added but word joiners, and the
    # text reads the same once the escapes are undone.
    assert re.fullmatch(r"(?:\\[!-/:-@\[-`{-~]|[^!-/:-@\[-`{-~\n])*", out)
    assert re.sub(r"\\(.)", r"\1", out).replace(WORD_JOINER, "") == " ".join(text.splitlines())
    assert not LIVE.search(out)


def test_md_breaks_addresses_icons_and_shortcodes_found_after_unescaping():
    """Streamlit's renderer links https://…, www.… and e-mail addresses and draws :material/…:
    icons in text whose escapes are already undone: a word joiner breaks each pattern."""
    shown = re.sub(r"\\(.)", r"\1", md(f"{ADDRESS} :material/home: :smile: WWW.X.CN"))
    for live in ("https://", "www.", "WWW.", "@real", ":material/", ":smile:"):
        assert live not in shown
    assert shown.replace(WORD_JOINER, "") == f"{ADDRESS} :material/home: :smile: WWW.X.CN"
    assert md(None) == md("") == ""


# --- hostile data through the importers and a citizen's form ----------------------------------

def import_hostile(app_env) -> dict:
    """The hostile business, its red-list entry, a failed batch sampled from it and a citizen's
    proposal accepted into a round collecting proposals; returns their ids."""
    db, profile, actor = app_db(app_env), load_profile("zhangjiajie"), cli_actor("test")
    registry = ("市场主体名称,许可证编号,主体业态,经营场所,所属区县\n"
                f"\"{NAME}\",JY24308020000017,餐馆,\"{ADDRESS}\",永定区\n")
    with db.write() as session:
        assert import_registry(session, actor, registry.encode(), "businesses.csv", "businesses",
                               profile).imported == 1
    lists = ("名单类型,当事人名称,列入原因,发布机关,列入日期\n"
             f"红榜,\"{NAME}\",\"{REASON}\",\"{LINK}\",{date.today().isoformat()}\n")
    with db.write() as session:
        assert import_registry(session, actor, lists.encode(), "lists.csv", "lists", profile).imported == 1
    sampling = xlsx([
        ["食品名称", "标称生产企业名称", "标称生产企业地址", "被抽样单位名称", "被抽样单位地址",
         "不合格项目", "检验结果", "标准值", "公告日期", "备注", "商标"],
        [FOOD, PRODUCER, PRODUCER_ADDRESS, NAME, ADDRESS, ITEM, f"5×10⁵{LINK}", f"≤10⁵ {REAL_URL}",
         date.today().isoformat(), REASON, IMAGE]])
    with db.write() as session:
        report = import_sampling(session, actor, sampling, "公告.xlsx", profile, outside="local")
    assert report.imported == 1, report.errors
    publisher = official(app_env, "publisher")
    with db.write() as session:
        round_id = management.create_round(session, publisher, round_form(title=f"第9期{LINK}")).id
    move_to(app_env, round_id, "proposals")
    with db.write() as session:
        proposal = participation.propose(session, round_id, "voter-hash-1",
                                         {"food": PROPOSAL, "place": PLACE, "reason": REASON})
        management.moderate(session, publisher, proposal.id, True)
    with db.read() as session:
        business = session.scalar(select(Business).where(Business.name == NAME))
        batch = session.scalar(select(SamplingBatch).where(SamplingBatch.sampled_unit == NAME))
        entry = session.scalar(select(ListEntry).where(ListEntry.business_name == NAME))
        assert business.address == ADDRESS and entry.reason == REASON
        assert batch.producer_name == PRODUCER and batch.failed_items[0].item == ITEM
        return {"business": business.id, "batch": batch.id, "round": round_id,
                "food": batch.food_name}


# --- AppTest: every string the pages hand to the markdown renderer ------------------------------

# Elements whose text Streamlit shows as plain text, never as markdown.
PLAIN = {"Text", "Code", "Selectbox", "MultiSelect", "TextInput", "TextArea", "Arrow", "Html", "Json",
         "Exception"}


def _strings(message, out: list[str]) -> None:
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        for v in values:
            if isinstance(v, str):
                out.append(v)
            elif hasattr(v, "ListFields"):
                _strings(v, out)


def markdown_strings(at) -> list[str]:
    """Every string of every element and block of the page except the plain-text ones, and the
    cells of st.table (which renders markdown in them)."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            kind = proto.DESCRIPTOR.name
            if kind == "Element":
                kind = type(getattr(proto, proto.WhichOneof("type"))).DESCRIPTOR.name
            if kind not in PLAIN:
                _strings(proto, out)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for table in at.table:
        frame = table.value
        out += [str(v) for v in frame.to_numpy().ravel()] + [str(i) for i in frame.index]
    return out


def assert_inert(at, *hostile: str) -> None:
    assert not at.exception
    strings = markdown_strings(at)
    for text in strings:
        assert not LIVE.search(text), text
    joined = "\n".join(strings)
    for text in hostile:
        assert md(text) in joined, text


def test_pages_hand_imported_and_citizen_text_to_markdown_escaped(app_env):
    ids = import_hostile(app_env)
    business = open_page("pages/business.py", {"id": str(ids["business"])})
    assert business.title[0].value == md(NAME)
    assert_inert(business, NAME, ADDRESS, ids["food"], REASON)
    assert_inert(open_page("pages/business.py", {"q": "张家界"}), NAME, ADDRESS)
    batch = open_page("pages/sampling.py", {"batch": str(ids["batch"]), "scope": "all"})
    assert batch.title[0].value == md(ids["food"])
    assert_inert(batch, ids["food"], PRODUCER, PRODUCER_ADDRESS, NAME, ADDRESS, ITEM, REASON, IMAGE)
    assert_inert(open_page("pages/sampling.py", {"scope": "all"}), ids["food"], PRODUCER, NAME, ITEM)
    assert_inert(open_page("pages/lists.py"), NAME, REASON, LINK)
    assert_inert(open_page("pages/rounds.py", {"round": str(ids["round"])}), f"第9期{LINK}",
                 PROPOSAL, PLACE)


# --- Chromium: the rendered DOM -----------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, demo_template):
    """The portal on a copy of the demo database with the hostile data imported, served by
    `streamlit run` as in production."""
    import shutil

    from helpers.server import running_portal
    from helpers.browser import CHROMIUM

    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed")
    root = tmp_path_factory.mktemp("hostile")
    shutil.copyfile(demo_template / "app.sqlite3", root / "app.sqlite3")
    shutil.copytree(demo_template / "var", root / "var")
    ids = import_hostile(root)
    with running_portal(root / "var", root / "app.sqlite3") as base:
        yield base, ids


@pytest.fixture(scope="module")
def chromium():
    from helpers.browser import launched     # imported here: it skips where Chromium is missing

    with launched() as b:
        yield b


# Coloured backgrounds, math and the hostile :material/rocket_launch: icon as Streamlit draws them.
DRAWN_FROM_TEXT = '.stMarkdownColoredBackground, .katex, [role=img][aria-label="rocket_launch icon"]'


def _rendered(chromium, url: str, shown: str) -> tuple[str, list[str], list[str], int]:
    """Open a page as a visitor does; once `shown` (drawn last) is on it: the
    main area's text, the links' addresses, the images' sources, and how many coloured spans,
    icons drawn from text and math formulas it has."""
    from helpers.browser import open_page

    page = open_page(chromium, url)
    try:
        page.get_by_text(shown, exact=False).first.wait_for(timeout=90_000)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=90_000)
        main = page.locator('[data-testid="stMain"]')
        links = main.evaluate("m => [...m.querySelectorAll('a[href]')].map(a => a.href)")
        images = main.evaluate("m => [...m.querySelectorAll('img')].map(i => i.src)")
        drawn = main.evaluate("(m, s) => m.querySelectorAll(s).length", DRAWN_FROM_TEXT)
        assert not page.query_selector('[data-testid="stException"]')
        return main.inner_text(), links, images, drawn
    finally:
        page.close()


def test_browser_shows_hostile_text_as_text(hostile_server, chromium):
    """No link or image whose address came from the data, no colour, icon, emoji or formula
    from it; the real address reads whole, without backslashes (the word joiners are invisible)."""
    base, ids = hostile_server
    # Each page with what it draws last: the page is complete once that is there.
    pages = [(f"/business?id={ids['business']}", "投诉或举报这家单位"),
             (f"/sampling?batch={ids['batch']}&scope=all", "核查处置：发现不合格食品后"),
             ("/lists", "依据与下载"),
             (f"/rounds?round={ids['round']}", "您最担心哪种食品")]
    for path, shown in pages:
        text, links, images, drawn = _rendered(chromium, base + path, shown)
        assert not [a for a in links if "example" in a or not a.startswith(base)], (path, links)
        assert not [i for i in images if "example" in i], (path, images)
        assert drawn == 0 and "😄" not in text, path
        visible = text.replace(WORD_JOINER, "")
        assert "\\" not in visible, path
        assert LINK in visible and REAL_URL in visible, path
    assert PLACE in visible and PROPOSAL in visible
