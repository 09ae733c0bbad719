"""What every page carries: the government-site footer (settings hidden while empty), the
网站地图, and the 大字版 switch (session and ?large=1)."""
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from portal.config import load_settings
from portal.registry.profiles import load_profile
from portal.ui import footer, nav
from portal.ui.layout import LARGE_TEXT_CSS
from helpers.pages import ENTRY, open_page

RECORDS = {"PORTAL_ICP_NUMBER": "湘ICP备12345678号-1",
           "PORTAL_PSB_NUMBER": "湘公网安备 43080202000123号",
           "PORTAL_SITE_CODE": "4308000001", "PORTAL_CONTACT_PHONE": "0744-8221234",
           "PORTAL_CONTACT_ADDRESS": "张家界市永定区(某某)路 1 号"}


def footer_text(at: AppTest) -> str:
    """The markdown of the last block of the page's main area (the footer's container)."""
    last = list(at.main.children.values())[-1]
    assert last.proto.id.endswith("portal-footer")
    return "\n".join(str(getattr(node, "value", "")) for node in _walk(last))


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def large_styles(at: AppTest) -> list:
    return [h for h in at.get("html") if h.proto.body == LARGE_TEXT_CSS]


def test_footer_lines_follow_the_settings(monkeypatch, tmp_path):
    profile = load_profile("zhangjiajie")
    base = {"PORTAL_VAR_DIR": str(tmp_path)}
    plain = footer.lines(load_settings(base, tmp_path / "x.toml"), profile)
    assert plain[0] == "主办单位：张家界市市场监督管理局" and "12315" in plain[1]
    assert plain[1] == "联系我们：食品安全投诉举报电话 12315" and len(plain) == 2
    full = footer.lines(load_settings({**base, **RECORDS}, tmp_path / "x.toml"), profile)
    assert "电话 0744\\-8221234" in full[1] and "\\(某某\\)路" in full[1]   # escaped
    assert "[湘ICP备12345678号\\-1](https://beian.miit.gov.cn/)" in full[2]
    assert "(https://beian.mps.gov.cn/#/query/webSearch?code=43080202000123)" in full[2]
    assert "政府网站标识码：4308000001" in full[2]
    sponsor = load_settings({**base, "PORTAL_SITE_SPONSOR": "张家界市人民政府"}, tmp_path / "x.toml")
    assert footer.lines(sponsor, profile)[0] == "主办单位：张家界市人民政府"


@pytest.mark.parametrize("path", ["streamlit_app.py", "pages/sampling.py", "pages/login.py"])
def test_every_page_ends_with_the_footer(app_env, monkeypatch, path):
    for key, value in RECORDS.items():
        monkeypatch.setenv(key, value)
    at = open_page(path)
    assert not at.exception, at.exception
    text = footer_text(at)
    assert "主办单位：张家界市市场监督管理局" in text and "beian.miit.gov.cn" in text
    assert "sitemap" in {p.proto.page for p in at.get("page_link")}


def test_footer_hides_empty_records(app_env):
    at = open_page("streamlit_app.py")
    text = footer_text(at)
    assert "主办单位" in text and "12315" in text
    assert "ICP" not in text and "公网安备" not in text and "网站标识码" not in text


def test_sitemap_lists_every_public_page_and_sign_in(app_env):
    at = open_page("pages/sitemap.py")
    assert not at.exception, at.exception
    main = list(at.main.children.values())[0]      # the page's own content, not the footer
    linked = {node.proto.page for node in _walk(main) if getattr(node, "type", "") == "page_link"}
    wanted = [p for p in nav.PAGES if p.section == nav.PUBLIC and p.path != "pages/sitemap.py"]
    for spec in [*wanted, nav.page("pages/login.py")]:
        name = "" if spec.path == "streamlit_app.py" else spec.path.removeprefix("pages/")[:-3]
        assert name in linked, spec.path
    # Not in the sidebar: reached from the footer.
    assert "sitemap" not in {p.proto.page for p in at.sidebar.get("page_link")}


def test_large_text_switch_sets_the_style_and_the_parameter(app_env):
    at = open_page("streamlit_app.py")
    assert not large_styles(at)
    switch = next(s for s in at.sidebar.toggle if s.label == "大字版")
    switch.set_value(True).run()
    assert not at.exception, at.exception
    assert at.query_params["large"] in ("1", ["1"])
    assert large_styles(at) and "font-size: 20px" in LARGE_TEXT_CSS
    # Kept for the tab on another page, then turned off again.
    at.switch_page("pages/sampling.py").run()
    assert large_styles(at) and next(s for s in at.sidebar.toggle if s.label == "大字版").value
    next(s for s in at.sidebar.toggle if s.label == "大字版").set_value(False).run()
    assert not large_styles(at) and "large" not in at.query_params


def test_large_text_from_a_link(app_env):
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["large"] = "1"
    at.run()
    assert not at.exception, at.exception
    assert large_styles(at)
    assert next(s for s in at.sidebar.toggle if s.label == "大字版").value is True
    assert (ROOT / "pages" / "sitemap.py").is_file()


def _links(at: AppTest) -> list:
    return list(at.get("page_link")) + list(at.sidebar.get("page_link"))


def test_every_link_keeps_the_visitors_language_and_large_text(app_env):
    """An English visitor who taps a link stays English when the phone reloads the tab: every
    link to a page of the portal carries ?lang=en (and ?large=1 for 大字版), its own query
    parameters too."""
    at = open_page("pages/rounds.py", {"lang": "en", "large": "1"})
    links = _links(at)
    assert links and len({link.proto.page for link in links}) > 10
    for link in links:
        query = str(link.proto.query_string)
        assert "lang=en" in query and "large=1" in query, (link.proto.page, query)
    assert any("round=" in str(link.proto.query_string) for link in links)   # and its own
    chinese = open_page("pages/rounds.py")
    assert not any("lang=" in str(link.proto.query_string) for link in _links(chinese))


def test_links_to_pages_go_through_the_one_helper():
    """st.page_link (or a column's .page_link) called directly would drop the visitor's
    language (see above)."""
    import re

    direct = [str(path.relative_to(ROOT)) for path in [*ROOT.joinpath("pages").glob("*.py"),
                                                        *ROOT.joinpath("portal").rglob("*.py"),
                                                        ROOT / "streamlit_app.py"]
              if re.search(r"\.page_link\(", path.read_text(encoding="utf-8"))]
    assert direct == ["portal/ui/page_links.py"]


@pytest.mark.parametrize("path,box,button", [("pages/sampling.py", "食品、生产企业或被抽样单位名称", "查询"),
                                             ("pages/business.py", "名称或地址", "查询"),
                                             ("pages/rapid_tests.py", "食品或市场名称", "查找")])
def test_a_search_keeps_the_visitors_large_text_in_the_address(app_env, path, button, box):
    """A search writes its own address (for sharing and Back) and keeps ?large=1 and ?lang=
    there: it once dropped them, so a reload lost 大字版 or English."""
    at = open_page(path, {"large": "1"})
    next(b for b in at.text_input if b.label == box).input("猪肉")
    next(b for b in at.button if b.label == button).click().run()
    assert not at.exception, at.exception
    assert at.query_params["large"] == "1" and at.query_params["q"] == "猪肉"
