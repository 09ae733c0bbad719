"""The survey in a real browser (Chromium): one browser answers, reloads, tries again and is
told it has answered (in Chinese, and in English for an English visitor); a second browser
can answer; a browser that keeps no cookies is asked to verify a phone instead."""
import os

from helpers.browser import browser, open_page, server, wait_until_drawn  # noqa: F401  (the shared fixtures)

from portal.surveys.definition import load_survey

SURVEY = load_survey("food_safety_2026")

SHOTS = os.environ.get("PORTAL_SCREENSHOTS")     # a folder to keep each step's screenshot in


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"survey_{name}.png"), full_page=True)


def _groups(page):
    return page.locator('[data-testid="stMain"] [data-testid="stRadio"]')


def _answer(page, name: str) -> None:
    """Answer every step: the first choice of each profile question, 满意 for each rating,
    不了解/说不清 for 保健食品; then submit."""
    page.get_by_text("第 1 / 6 步").wait_for(timeout=90_000)
    _shot(page, f"{name}_1")
    wait_until_drawn(page)
    groups = _groups(page)
    for i in range(groups.count()):
        groups.nth(i).locator('label[data-testid="stRadioOption"]').first.click()
    for step, section in enumerate(SURVEY.sections, start=2):
        page.get_by_role("button", name="下一步").click()
        page.get_by_text(f"第 {step} / 6 步").wait_for(timeout=60_000)
        # The step's last question drawn: the previous step's widgets are gone by then.
        page.get_by_text(section.questions[-1].text).first.wait_for(timeout=60_000)
        wait_until_drawn(page)
        groups = _groups(page)
        for i in range(groups.count()):
            group = groups.nth(i)
            if "保健食品" in group.inner_text():
                group.get_by_text("不了解/说不清", exact=True).click()
            elif group.get_by_text("满意", exact=True).count():
                group.get_by_text("满意", exact=True).click()
        assert page.locator('[data-testid="stMain"] input[type="radio"]:checked').count() == \
            len([q for q in section.questions if q.type == "scale5"])
        _shot(page, f"{name}_{step}")
    page.get_by_role("button", name="提交问卷").click()
    page.get_by_text("问卷已提交").wait_for(timeout=60_000)
    _shot(page, f"{name}_done")


def test_one_response_per_browser_even_after_a_reload(server, browser):  # noqa: F811
    base, _ = server
    page = open_page(browser, base + "/survey", width=390)
    _answer(page, "first")
    # The token is a signed HttpOnly, SameSite=Lax cookie, and the address bar stays clean.
    cookie = next(c for c in page.context.cookies() if c["name"] == "portal_browser")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert "browser_token" not in page.url
    # Reload: told at once, no form to fill in again.
    page.reload()
    page.get_by_text("这个浏览器已经提交过本期问卷了").wait_for(timeout=90_000)
    assert not page.get_by_role("button", name="下一步").count()
    _shot(page, "again")
    # A new tab of the same browser, in English.
    english = page.context.new_page()
    english.goto(base + "/survey?lang=en")
    english.get_by_text("This browser has already answered this survey period").wait_for(timeout=90_000)
    english.close()
    # Another browser (without the first one's cookie) can answer.
    other = open_page(browser, base + "/survey", width=1280)
    _answer(other, "second")
    page.close()
    other.close()


def test_a_browser_that_keeps_no_cookies_is_asked_for_a_phone(server, browser):  # noqa: F811
    base, _ = server
    context = browser.new_context(viewport={"width": 390, "height": 900})
    # As a browser refusing the cookie: the route answers, but nothing is stored.
    context.route("**/browser-token", lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.goto(base + "/survey")
    page.get_by_text("没有保存 Cookie").wait_for(timeout=90_000)
    assert page.get_by_role("button", name="获取验证码").count()
    assert not page.get_by_role("button", name="下一步").count()
    _shot(page, "no_cookies")
    context.close()
