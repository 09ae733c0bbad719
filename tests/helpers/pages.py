"""Page tests (AppTest): open a page as a new visitor, read its text, sign in as a demo official."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from conftest import ROOT

ENTRY = str(ROOT / "streamlit_app.py")


def open_page(path: str, params: dict | None = None) -> AppTest:
    """A new visitor opens `path` with these query parameters (a link, a bookmark or a shared
    address: the first run is that page's)."""
    at = AppTest.from_file(ENTRY, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if path != "streamlit_app.py":
        # Before the first run AppTest names the page by its file name, which is the router's
        # URL path for every page (portal/ui/nav.py; tests/test_router.py checks it).
        at.switch_page(path)
    return at.run()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title] + \
            [c.value for c in at.caption] + [e.value for e in at.info] + \
            [e.value for e in at.warning] + [e.value for e in at.error] + \
            [s.value for s in at.success] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Sign in on the login page as an official does, with the second factor when the
    account has one, and setting it up (as the page asks) when the role requires it."""
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    code_box = [t for t in at.text_input if t.label == "动态验证码"]
    if code_box:
        code_box[0].input(next_totp(username))
        next(b for b in at.button if b.label == "验证").click()
        at.run()
    pending = at.session_state["totp_pending_secret"] if "totp_pending_secret" in at.session_state else None
    if pending and [t for t in at.text_input if t.label == "应用显示的 6 位数字"]:
        TOTP_SECRETS[username] = pending
        next(t for t in at.text_input if t.label == "应用显示的 6 位数字").input(next_totp(username))
        next(b for b in at.button if b.label == "开启两步验证").click()
        at.run()
    return at


TOTP_SECRETS: dict[str, str] = {}     # the authenticator "app" of the test officials
_LAST_STEP: dict[str, int] = {}


def forget_used_codes() -> None:
    """A fresh copy of the demo database remembers no used code: the next sign-in may use the
    current one instead of waiting up to 30 s for the clock."""
    _LAST_STEP.clear()


def next_totp(username: str) -> str:
    """The app's code for a sign-in: each code works once, so a second sign-in within the
    same 30 s uses the next one (the portal allows one step of clock drift), and a third
    waits for the clock."""
    import time

    import pyotp

    step = max(int(time.time() // 30), _LAST_STEP.get(username, -1) + 1)
    while step > int(time.time() // 30) + 1:
        time.sleep(1)
    _LAST_STEP[username] = step
    return pyotp.TOTP(TOTP_SECRETS[username]).at(step * 30)


def demo_password(app_env, username: str) -> str:
    """A demo official's password, from the var/demo_accounts.txt the first start wrote."""
    for line in (app_env / "var" / "demo_accounts.txt").read_text().splitlines():
        if line.startswith(username + "\t"):
            return line.split("\t")[1]
    raise AssertionError(username)
