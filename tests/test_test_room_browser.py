"""快检室 in Chromium on a 390 px phone: a citizen goes from the home page to a testing room,
verifies a phone, books a slot, and looks the booking up by its code; nothing runs off the
side of the screen."""
from playwright.sync_api import expect

from helpers.browser import browser, open_page, server, verify_phone, wait_until_drawn  # noqa: F401  (module fixtures)


def test_a_citizen_books_a_testing_room_on_a_phone(server, browser):
    base, _ = server
    page = open_page(browser, base + "/", width=390)
    page.get_by_test_id("stMetric").first.wait_for(timeout=90_000)
    assert "快检室" in page.inner_text("main")            # the home page's figure and service card
    page.locator("main").get_by_role("link", name="快检室", exact=True).first.click()
    page.get_by_role("heading", name="快检室名录").wait_for(timeout=60_000)
    assert "不是法定检验结论" in page.inner_text("main")
    page.locator("main").get_by_role("link", name="快检室").filter(has_text="永定区").first.click()
    page.get_by_role("heading", name="预约送检").wait_for(timeout=60_000)
    verify_phone(page, "13966665555")
    page.get_by_text("已验证 139****5555").wait_for(timeout=60_000)
    wait_until_drawn(page)      # a food typed while the page still redraws can be lost
    food = page.get_by_role("textbox", name="送检食品")
    food.fill("豇豆")
    expect(food).to_have_value("豇豆")
    page.get_by_role("button", name="确认预约").click()
    page.get_by_text("预约成功").wait_for(timeout=60_000)
    code = page.get_by_test_id("stCode").inner_text().strip()
    assert code.startswith("KJ-")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("textbox", name="预约码").fill(code.lower())
    page.get_by_role("button", name="查询", exact=True).click()
    # The lookup's own answer (the page also lists "my bookings" above it, with the same status line).
    page.get_by_role("button", name="查询另一个").wait_for(timeout=60_000)
    wait_until_drawn(page)
    main = page.inner_text("main")
    assert "已预约" in main and "豇豆" in main
    page.get_by_role("button", name="取消这个预约").click()
    page.get_by_text("已取消").first.wait_for(timeout=60_000)
    assert not page.query_selector('[data-testid="stException"]')
    page.close()
