"""Single sign-on in the browser, against a local OpenID Connect provider (oidc-provider-mock,
in a thread of this process) and the real portal server with an [auth] block in its secrets:
an identity no admin linked is refused and shown what to pass on; an admin links it on 账号管理;
the next sign-in through the provider lands on 我的账号 as the linked account, with the
portal's own cookie; sign-out ends the portal's session and the provider's sign-in. An admin's
single sign-on still asks for the portal's own second factor (PORTAL_SSO_SECOND_FACTOR=portal)."""
import os
import secrets
import subprocess
import sys
import time

import pyotp
import pytest

from conftest import ROOT
from helpers.browser import browser, choose, demo_portal, open_page, set_up_second_factor  # noqa: F401

pytestmark = pytest.mark.security
SUBJECT = "wang.xiaoming-1001"


@pytest.fixture(scope="module")
def provider():
    from oidc_provider_mock import User, run_server_in_thread

    person = User(sub=SUBJECT, claims={"name": "王小明", "email": "wang@example.gov.cn"})
    with run_server_in_thread(user_claims=[person]) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory, provider, demo_template):
    """The portal with Streamlit's [auth] block (its own secrets file, not the project's);
    Streamlit fills {port} into the redirect URI."""
    tmp = tmp_path_factory.mktemp("sso")
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "food-safety-portal"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    with demo_portal(tmp, demo_template, options=("--secrets.files", str(secrets_file))) as base:
        # The browser uses the host name of the redirect URI: the provider's sign-in state
        # lives in a cookie of that host.
        yield base.replace("127.0.0.1", "localhost"), tmp


def _sign_in_at_the_provider(page, subject: str = SUBJECT) -> None:
    """On the portal's sign-in page: the SSO button, then the provider's form as a person fills it."""
    page.get_by_role("button", name="统一身份认证登录").click()
    page.get_by_role("heading", name="Authorize Client").wait_for(timeout=60_000)
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize", exact=True).click()


def _cookie(page, name: str, tries: int = 240):
    """The browser's cookie of that name, waiting up to a minute (tries × 250 ms) for it."""
    for attempt in range(tries):
        found = next((c for c in page.context.cookies() if c["name"] == name), None)
        if found or attempt == tries - 1:
            return found
        page.wait_for_timeout(250)


def test_sso_sign_in_needs_an_admins_link_and_sign_out_ends_it(sso_server, browser, provider):
    base, tmp = sso_server
    person = open_page(browser, base + "/login")
    person.get_by_role("heading", name="监管人员登录").wait_for(timeout=60_000)
    person.get_by_role("button", name="统一身份认证登录").wait_for(timeout=60_000)
    person.screenshot(path=str(tmp / "login_with_sso.png"), full_page=True)

    _sign_in_at_the_provider(person)              # not linked yet: refused, nothing granted
    person.get_by_text("还没有关联本门户的账号").wait_for(timeout=90_000)
    person.get_by_text(SUBJECT, exact=True).wait_for(timeout=60_000)
    shown = person.inner_text("main")
    assert SUBJECT in shown and provider in shown and "王小明" in shown
    assert "我的账号" not in shown
    assert not _cookie(person, "portal_official", tries=1)
    person.screenshot(path=str(tmp / "sso_refused.png"), full_page=True)

    admin = open_page(browser, base + "/accounts", own_browser=True)   # the admin, meanwhile, links it
    admin.get_by_text("请先登录").wait_for(timeout=60_000)
    admin.get_by_label("用户名").fill("demo_admin")
    admin.get_by_label("密码").fill(_password(tmp, "demo_admin"))
    admin.get_by_role("button", name="登录", exact=True).click()
    totp_key = set_up_second_factor(admin)
    admin.get_by_role("tab", name="统一身份认证").click()
    assert admin.get_by_role("textbox", name="用户标识").input_value() == SUBJECT      # the latest refused one
    assert admin.get_by_role("textbox", name="身份提供方").input_value() == provider
    choose(admin, "关联到的账号", "demo_handler")
    admin.get_by_role("button", name="关联到该账号").click()
    admin.get_by_text("已把该身份关联到账号 demo_handler").wait_for(timeout=60_000)
    admin.context.close()

    _sign_in_at_the_provider(person)              # linked: signed in as demo_handler
    person.get_by_role("heading", name="我的账号").wait_for(timeout=90_000)
    # The account box draws after the heading: wait for its line before reading the page.
    person.get_by_text("本次通过统一身份认证登录").wait_for(timeout=60_000)
    assert "demo_handler" in person.inner_text("main")
    cookie = _cookie(person, "portal_official")
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    person.goto(base + "/complaint_queue")         # the account's role opens its workbench
    person.wait_for_selector('[data-testid="stSidebar"] a', timeout=90_000)
    person.get_by_role("heading", name="投诉举报办理").first.wait_for(timeout=60_000)
    assert "请先登录" not in person.inner_text("main")

    person.goto(base + "/login")
    person.get_by_role("button", name="退出登录").click(timeout=60_000)
    person.get_by_role("heading", name="End Session").wait_for(timeout=60_000)   # the provider's sign-out
    person.get_by_role("button", name="End session").click()
    person.wait_for_selector('[data-testid="stSidebar"] a', timeout=90_000)
    assert not any(c["name"].startswith("_streamlit_user") for c in person.context.cookies())
    person.goto(base + "/complaint_queue")
    person.get_by_text("请先登录").wait_for(timeout=60_000)
    person.goto(base + "/login")
    person.get_by_role("heading", name="监管人员登录").wait_for(timeout=60_000)
    assert "我的账号" not in person.inner_text("main")
    person.close()

    # The admin's own identity, linked on the command line: single sign-on, then the app's code.
    env = {**os.environ, "PORTAL_VAR_DIR": str(tmp), "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}"}
    linked = subprocess.run([sys.executable, "-m", "portal", "users", "link-identity", "demo_admin",
                             "--issuer", provider, "--subject", "chief-2001"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert linked.returncode == 0, linked.stderr
    chief = open_page(browser, base + "/login")
    chief.get_by_role("heading", name="监管人员登录").wait_for(timeout=60_000)
    _sign_in_at_the_provider(chief, "chief-2001")
    code_box = chief.get_by_role("textbox", name="动态验证码")
    code_box.wait_for(timeout=90_000)
    assert "我的账号" not in chief.inner_text("main") and not _cookie(chief, "portal_official", tries=1)
    code_box.fill(pyotp.TOTP(totp_key).at(time.time() + 30))   # the set-up code works only once
    chief.get_by_role("button", name="验证", exact=True).click()
    chief.get_by_role("heading", name="我的账号").wait_for(timeout=90_000)
    assert "demo_admin" in chief.inner_text("main")
    chief.close()


def _password(tmp, username: str) -> str:
    return next(line.split("\t")[1] for line in (tmp / "demo_accounts.txt").read_text().splitlines()
                if line.startswith(username + "\t"))
