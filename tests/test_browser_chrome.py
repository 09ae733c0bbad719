"""In Chromium: an English visitor searching "pork" on a phone, and 大字版 with the footer."""
from helpers.browser import browser, open_page, server  # noqa: F401  (skips without Chromium)


def test_english_visitor_searches_pork_on_a_phone(server, browser, tmp_path):
    base, _ = server
    page = open_page(browser, base + "/sampling?lang=en", width=390)
    box = page.get_by_label("Food, producer or place sampled")
    box.wait_for(timeout=60_000)
    box.fill("pork")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=pork**", timeout=30_000)
    page.get_by_text("found", exact=False).first.wait_for(timeout=60_000)
    page.get_by_role("link", name="Details").first.wait_for(timeout=60_000)
    main = page.inner_text("main")
    assert "猪肉" in main or "猪肝" in main, main[:600]
    assert "No sampling results" not in main
    page.screenshot(path=str(tmp_path / "pork_390.png"))
    page.close()


def test_large_text_switch_and_footer(server, browser, tmp_path):
    base, _ = server
    page = open_page(browser, base + "/")
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    root_size = "getComputedStyle(document.documentElement).fontSize"
    assert page.evaluate(root_size) == "16px"
    page.locator('[data-testid="stSidebar"]').get_by_text("大字版").click()
    page.wait_for_url("**large=1**", timeout=30_000)
    page.wait_for_function(f"{root_size} === '20px'", timeout=30_000)
    footer = page.locator(".st-key-portal-footer")
    assert "主办单位：张家界市市场监督管理局" in footer.inner_text()
    assert "ICP" not in footer.inner_text()        # no number set: the line is hidden
    # The footer's site map link keeps 大字版 for the tab.
    footer.get_by_role("link", name="网站地图").click()
    page.wait_for_url("**/sitemap**", timeout=30_000)
    page.get_by_role("heading", name="网站地图").wait_for(timeout=60_000)
    assert page.evaluate(root_size) == "20px"
    # A shared link with ?large=1 opens large on a phone too.
    phone = open_page(browser, base + "/sitemap?large=1", width=390)
    phone.get_by_role("heading", name="网站地图").wait_for(timeout=60_000)
    phone.wait_for_function(f"{root_size} === '20px'", timeout=30_000)
    phone.screenshot(path=str(tmp_path / "sitemap_large_390.png"))
    for p in (page, phone):
        p.close()
