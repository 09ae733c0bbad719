"""An official's day in the browser: one sign-in lasts through reloads, new tabs and deep
links; sign-out in one tab ends the others."""
import re

import pytest

from helpers.browser import browser, open_page, server, sign_in  # noqa: F401  (module fixtures)

pytestmark = pytest.mark.security


def test_one_sign_in_lasts_through_reload_new_tab_and_deep_link_until_sign_out(server, browser):
    base, tmp = server
    page = open_page(browser, base + "/")
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="登录", exact=True).click()
    page.get_by_role("heading", name="监管人员登录").wait_for(timeout=60_000)
    line = next(l for l in (tmp / "demo_accounts.txt").read_text().splitlines()
                if l.startswith("demo_handler\t"))
    page.get_by_label("用户名").fill("demo_handler")
    page.get_by_label("密码").fill(line.split("\t")[1])
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的账号").wait_for(timeout=60_000)
    # The page hands the browser its cookie through the portal's route: HttpOnly, Lax.
    for _attempt in range(240):         # up to a minute on a busy machine
        cookie = next((c for c in page.context.cookies() if c["name"] == "portal_official"), None)
        if cookie:
            break
        page.wait_for_timeout(250)
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.reload()
    page.get_by_role("heading", name="我的账号").wait_for(timeout=60_000)
    # The sidebar's links are drawn a moment after its captions: wait for the link itself.
    page.locator('[data-testid="stSidebar"]').get_by_role(
        "link", name=re.compile("我的账号")).wait_for(timeout=60_000)

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
    page.close()


def test_an_admin_sets_up_the_second_factor_and_signs_in_with_a_code(server, browser):
    import pyotp

    from helpers.browser import set_up_second_factor

    base, tmp = server
    page = open_page(browser, base + "/accounts")
    page.get_by_text("请先登录").wait_for(timeout=60_000)
    password = next(l for l in (tmp / "demo_accounts.txt").read_text().splitlines()
                    if l.startswith("demo_admin\t")).split("\t")[1]
    page.get_by_label("用户名").fill("demo_admin")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("需要开启两步验证").wait_for(timeout=60_000)
    key = set_up_second_factor(page)
    page.get_by_role("tab", name="新建账号").wait_for(timeout=60_000)
    page.get_by_role("tab", name=re.compile("结束登录")).click()
    page.get_by_role("button", name=re.compile("结束该账号在所有设备上的登录")).wait_for()
    page.close()

    fresh = open_page(browser, base + "/accounts")         # another device: password, then a code
    fresh.get_by_text("请先登录").wait_for(timeout=60_000)
    fresh.get_by_label("用户名").fill("demo_admin")
    fresh.get_by_label("密码").fill(password)
    fresh.get_by_role("button", name="登录").click()
    fresh.get_by_role("textbox", name="动态验证码").fill("000000")
    fresh.get_by_role("button", name="验证", exact=True).click()
    fresh.get_by_text("验证码不对").wait_for(timeout=60_000)
    # The code used at set-up works only once: the app's next code (30 s on) signs in.
    import time

    fresh.get_by_role("textbox", name="动态验证码").fill(pyotp.TOTP(key).at(time.time() + 30))
    fresh.get_by_role("button", name="验证", exact=True).click()
    fresh.get_by_role("tab", name="新建账号").wait_for(timeout=60_000)
    fresh.close()
