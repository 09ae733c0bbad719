"""The browser tests' Chromium (Debian's, driven by Playwright), the running portal they
visit, and what a person does on its pages (open a page, sign in, choose, verify a phone).

Importing this module skips the importing test module where Chromium is missing, except
under CI, which must have it."""
from __future__ import annotations

import os
import shutil
import weakref
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers.server import running_portal

CHROMIUM = "/usr/bin/chromium"
# --process-per-site: the tabs of one context share one renderer, and with it the scripts
# V8 has compiled (Streamlit's front end): a new tab costs about half the CPU of a first one.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--process-per-site"]

if not shutil.which(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium: apt-get install -y chromium fonts-noto-cjk")
    pytest.skip("chromium is not installed", allow_module_level=True)


@contextmanager
def demo_portal(tmp: Path, demo_template: Path, options: tuple[str, ...] = ()):
    """`streamlit run` on a copy of the run's demo database (conftest's demo_template, what a
    first start leaves) with var/ in tmp: the server starts as on any later start, without
    generating the demo again. Yields the base URL."""
    shutil.copyfile(demo_template / "app.sqlite3", tmp / "portal.sqlite3")
    shutil.copytree(demo_template / "var", tmp, dirs_exist_ok=True)
    with running_portal(tmp, tmp / "portal.sqlite3", options=options) as base:
        yield base


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_template):
    """A running demo portal for the test module: (base URL, its var/ folder)."""
    tmp = tmp_path_factory.mktemp("browser")
    with demo_portal(tmp, demo_template) as base:
        yield base, tmp


@contextmanager
def launched():
    """Debian's Chromium, started by Playwright with the tests' arguments."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def browser():
    with launched() as b:
        yield b


_NEW_PERSON_STORAGE = """if (!sessionStorage.getItem("portalTestsTab")) {
    sessionStorage.setItem("portalTestsTab", "1");
    localStorage.clear();
}"""
_SHARED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def open_page(browser, url, width=1280, own_browser=False):
    """Someone else opens url in a new tab, on a screen `width` wide: a visitor without the
    cookies and stored settings of the people before (each call is another person: another
    browser token, no official's sign-in). The tabs share one browser context, so a new
    visitor's tab reuses the cache and the compiled front end of the earlier ones (a context
    of its own costs twice the CPU). `own_browser`: a second person acting while the first
    is still signed in, in a context of their own, so that neither sees the other's cookies."""
    if own_browser:
        return _load(browser.new_context(viewport={"width": width, "height": 900}).new_page(), url)
    context = _SHARED.get(browser)
    if context is None:
        context = _SHARED[browser] = browser.new_context(viewport={"width": width, "height": 900})
        context.on("close", lambda _context: _SHARED.pop(browser, None))  # a test closed it
    context.clear_cookies()
    page = context.new_page()
    # Nor what Streamlit kept of theirs (the sidebar folded or not, its width, the theme):
    # cleared once, on the tab's first load, so that a reload keeps this person's.
    page.add_init_script(_NEW_PERSON_STORAGE)
    page.set_viewport_size({"width": width, "height": 900})
    return _load(page, url)


def _load(page, url):
    page.goto(url)
    page.wait_for_selector('[data-testid="stSidebar"] a', timeout=90_000)
    return page


def sign_in(page, tmp, username: str, asked: bool = True) -> None:
    """On an official page showing the sign-in form (asked: it says "请先登录"; the 登录 page
    itself does not): sign in with a demo account."""
    if asked:
        page.get_by_text("请先登录").wait_for(timeout=60_000)
    page.get_by_label("用户名").wait_for(timeout=60_000)
    line = next(l for l in (tmp / "demo_accounts.txt").read_text().splitlines()
                if l.startswith(username + "\t"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(line.split("\t")[1])
    page.get_by_role("button", name="登录", exact=True).click()
    if username == "demo_admin":     # admins must set up the second factor first, as a person would
        set_up_second_factor(page)


def set_up_second_factor(page) -> str:
    """Type the key shown under the QR code into an "authenticator" (pyotp) and confirm."""
    import pyotp

    page.get_by_role("button", name="开启两步验证").wait_for(timeout=60_000)
    key = page.get_by_text("密钥（手动输入用）").inner_text().split("：")[1].strip()
    page.get_by_label("应用显示的 6 位数字").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="开启两步验证").click()
    page.get_by_text("两步验证已开启").wait_for(timeout=60_000)
    return key


def tap_menu(page, name: str, width: int) -> None:
    """The sidebar link, as a person reaches it: on a phone the menu opens first, and must
    close again once the page opens (or it would cover it)."""
    if width < 640:
        _open_phone_menu(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=name, exact=True).click()
    if width < 640:
        page.wait_for_function(
            "document.querySelector('[data-testid=\"stSidebar\"]')?.dataset.collapsed === 'true'",
            timeout=30_000, polling=100)


def _open_phone_menu(page) -> None:
    """Tap the menu button until the menu is open: a tap that lands while the page is still
    being redrawn can be lost (the menu stayed shut once in a full run, and the link in it was
    then off the screen for good)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    is_open = "document.querySelector('[data-testid=\"stSidebar\"]')?.dataset.collapsed === 'false'"
    for _attempt in range(3):
        if page.evaluate(is_open):         # opened late by the tap before
            return
        page.get_by_test_id("stExpandSidebarButton").click()
        try:
            page.wait_for_function(is_open, timeout=10_000, polling=100)
            return
        except PlaywrightTimeout:
            pass
    raise AssertionError("the phone menu did not open")


def wait_until_drawn(page, timeout: int = 60_000) -> None:
    """Until the script run has finished and no element of the previous run is left on the
    page (Streamlit keeps those, marked stale, while it draws the new ones). Checked every
    100 ms: Playwright's default checks on every animation frame, which makes a headless page
    draw 60 frames a second while it waits (0.05 against 0.006 CPU-s per second of waiting)."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
                 && !document.querySelector('[data-stale="true"]')""", timeout=timeout,
        polling=100)


def choose(page, label: str, option: str) -> None:
    """Open a selectbox and pick an option; a rerun finishing meanwhile can close the
    list, so open it again then."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(4):
        page.get_by_label(label, exact=True).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {option} in {label}")


def verify_phone(page, phone: str) -> None:
    wait_until_drawn(page)      # a number typed while the page still draws can be lost
    page.get_by_role("textbox", name="手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_text("您的验证码是").wait_for(timeout=60_000)
    code = page.get_by_text("您的验证码是").inner_text().split("验证码是")[1].strip()[:6]
    page.get_by_role("textbox", name="验证码").fill(code)
    page.get_by_role("button", name="验证", exact=True).click()


def file_complaint(browser, url: str, description: str, name: str, phone: str) -> tuple[str, str]:
    """Fill in and send the complaint form at 390 px; (tracking number, code) from the receipt."""
    from datetime import timedelta

    from portal.timeutil import local_today

    page = open_page(browser, url, width=390)
    page.get_by_role("heading", name="2. 发生了什么").wait_for(timeout=60_000)
    choose(page, "问题类别", "异物")
    page.get_by_role("spinbutton", name="year, 发生日期").click()
    page.keyboard.type((local_today() - timedelta(days=1)).strftime("%Y%m%d"))
    page.get_by_role("textbox", name="问题描述").fill(description)
    page.get_by_role("textbox", name="您的诉求").fill("退款并道歉")
    page.get_by_role("textbox", name="姓名").fill(name)
    page.get_by_role("textbox", name="手机号码").fill(phone)
    page.get_by_text("我已阅读并同意上述个人信息处理说明").click()
    page.get_by_role("button", name="提交").click()
    page.get_by_text("我们已收到您的投诉").wait_for(timeout=60_000)
    page.locator('[data-testid="stCode"]').nth(1).wait_for(timeout=30_000)
    codes = page.locator('[data-testid="stCode"]').all_inner_texts()
    return codes[0].strip(), codes[1].strip()
