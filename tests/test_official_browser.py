"""An official's day in the browser: one sign-in lasts through reloads, new tabs and deep
links; sign-out in one tab ends the others."""
import re

import pytest

from test_browser import _open, _sidebar, _sign_in, browser, server  # noqa: F401  (module fixtures)

pytestmark = pytest.mark.security


def test_one_sign_in_lasts_through_reload_new_tab_and_deep_link_until_sign_out(server, browser):
    base, tmp = server
    page = _open(browser, base + "/")
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="登录", exact=True).click()
    page.get_by_role("heading", name="监管人员登录").wait_for(timeout=60_000)
    line = next(l for l in (tmp / "demo_accounts.txt").read_text().splitlines()
                if l.startswith("demo_handler\t"))
    page.get_by_label("用户名").fill("demo_handler")
    page.get_by_label("密码").fill(line.split("\t")[1])
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的账号").wait_for(timeout=60_000)
    # The page hands the browser its cookie through the portal's route: HttpOnly, Lax.
    page.wait_for_function("() => true")
    for _attempt in range(40):
        cookie = next((c for c in page.context.cookies() if c["name"] == "portal_official"), None)
        if cookie:
            break
        page.wait_for_timeout(250)
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.reload()
    page.get_by_role("heading", name="我的账号").wait_for(timeout=60_000)
    assert "我的账号" in _sidebar(page)

    other = page.context.new_page()          # a new tab, then a deep link to a workbench page
    other.goto(base + "/complaint_queue")
    other.wait_for_selector('[data-testid="stSidebar"] a', timeout=90_000)
    other.get_by_role("heading", name=re.compile("投诉举报办理")).first.wait_for(timeout=60_000)
    assert "请先登录" not in other.inner_text("main")

    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("已安全退出").wait_for(timeout=60_000)
    other.reload()
    other.get_by_text("请先登录").wait_for(timeout=60_000)
    page.reload()
    page.get_by_role("heading", name="监管人员登录").wait_for(timeout=60_000)
    page.context.close()
