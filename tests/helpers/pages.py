"""Page tests (AppTest): open a page as a new visitor, read its text, sign in as a demo official."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from conftest import ROOT

ENTRY = str(ROOT / "streamlit_app.py")


def open_page(path: str, params: dict | None = None) -> AppTest:
    """A new visitor opens the home page, then `path` with these query parameters."""
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if path != "streamlit_app.py" or params:
        at.switch_page(path).run()
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title] + \
            [c.value for c in at.caption] + [e.value for e in at.info] + \
            [e.value for e in at.warning] + [e.value for e in at.error] + \
            [s.value for s in at.success] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def demo_password(app_env, username: str) -> str:
    """A demo official's password, from the var/demo_accounts.txt the first start wrote."""
    for line in (app_env / "var" / "demo_accounts.txt").read_text().splitlines():
        if line.startswith(username + "\t"):
            return line.split("\t")[1]
    raise AssertionError(username)
