"""Signed cookies (portal.cookies) and the browser-token route: a value signed for one
purpose and time is read back only unchanged, for that purpose, before it expires; the route
sets a fresh HttpOnly, SameSite=Lax cookie only when the browser has no valid one, refuses
cross-site calls and touches no database."""
from datetime import datetime, timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal import browser_token, cookies
from portal.config import load_settings

SECRET = "s" * 40
NOW = datetime(2026, 6, 1, 12)
SPEC = cookies.CookieSpec(name="c", purpose="test", lifetime=timedelta(hours=1))


def test_sign_and_verify_round_trip():
    signed = cookies.sign(SECRET, "test", "hello", NOW + timedelta(hours=1))
    assert cookies.verify(SECRET, "test", signed, NOW) == "hello"
    assert cookies.read({"c": signed, "other": "x"}, SECRET, SPEC, NOW) == "hello"


def test_expired_is_refused_and_the_expiry_cannot_be_edited():
    expires = NOW + timedelta(hours=1)
    signed = cookies.sign(SECRET, "test", "v", expires)
    assert cookies.verify(SECRET, "test", signed, expires - timedelta(seconds=1)) == "v"
    assert cookies.verify(SECRET, "test", signed, expires) is None
    assert cookies.verify(SECRET, "test", signed, expires + timedelta(days=1)) is None
    # Re-encoding the payload with a later expiry keeps the old signature: refused.
    signature = signed.rsplit(".", 1)[1]
    longer = cookies.sign(SECRET, "test", "v", expires + timedelta(days=365)).rsplit(".", 1)[0]
    assert cookies.verify(SECRET, "test", f"{longer}.{signature}", NOW) is None


@pytest.mark.parametrize("tamper", [
    lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),        # signature changed
    lambda s: ("X" if s[0] != "X" else "Y") + s[1:],           # payload changed
    lambda s: s.split(".")[0],                                  # signature removed
    lambda s: s + ".extra",
    lambda s: "",
    lambda s: " ",
    lambda s: "a" * 5000,                                       # far too long: not parsed
    lambda s: s.replace(".", ""),
])
def test_tampered_values_are_refused(tamper):
    signed = cookies.sign(SECRET, "test", "v", NOW + timedelta(hours=1))
    assert cookies.verify(SECRET, "test", tamper(signed), NOW) is None


def test_another_secret_or_purpose_is_refused():
    signed = cookies.sign(SECRET, "browser-token", "v", NOW + timedelta(hours=1))
    assert cookies.verify("t" * 40, "browser-token", signed, NOW) is None
    # A survey token cannot be replayed as, say, a sign-in cookie.
    assert cookies.verify(SECRET, "session", signed, NOW) is None
    assert cookies.verify(SECRET, "test", None, NOW) is None
    assert cookies.read({}, SECRET, SPEC, NOW) is None


def test_well_signed_but_malformed_payloads_are_refused():
    from itsdangerous import URLSafeSerializer

    forge = URLSafeSerializer(SECRET, salt="portal-cookie:test")
    for payload in ("v", ["v"], ["", 2_000_000_000], ["v", "2000000000"], ["v", True],
                    [1, 2_000_000_000], {"v": 1}):
        assert cookies.verify(SECRET, "test", forge.dumps(payload), NOW) is None
    assert cookies.verify(SECRET, "test", forge.dumps(["v", 2_000_000_000]), NOW) == "v"


def test_new_values_are_random_and_long():
    values = {cookies.new_value() for _ in range(100)}
    assert len(values) == 100 and all(len(v) >= 43 for v in values)


def _client(secure=False, tmp_path=None):
    settings = load_settings(env={"PORTAL_SECRET_KEY": SECRET,
                                  "PORTAL_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
                             ).model_copy(update={"secure_cookies": secure})
    app = Starlette(routes=[browser_token.token_route(settings)])
    return TestClient(app, base_url="http://portal.test")


def _set_cookie(response) -> str:
    values = response.headers.get_list("set-cookie")
    assert len(values) <= 1
    return values[0] if values else ""


def test_route_sets_a_signed_httponly_lax_cookie_once():
    # The database URL above points nowhere: the route never touches a database.
    client = _client()
    first = client.post(browser_token.PATH)
    assert first.status_code == 204 and first.headers["cache-control"] == "no-store"
    header = _set_cookie(first)
    parts = [p.strip().lower() for p in header.split(";")]
    assert parts[0].startswith("portal_browser=")
    assert "httponly" in parts and "samesite=lax" in parts and "path=/" in parts
    assert "secure" not in parts
    assert f"max-age={400 * 86400}" in parts
    value = client.cookies.get("portal_browser")
    token = browser_token.token({"portal_browser": value}, SECRET)
    assert token and len(browser_token.token_hash(SECRET, token)) == 64
    # With a valid cookie: nothing is set, the token stays.
    again = client.post(browser_token.PATH)
    assert again.status_code == 204 and _set_cookie(again) == ""
    assert client.cookies.get("portal_browser") == value


def test_route_replaces_forged_expired_or_foreign_cookies():
    client = _client()
    past = datetime.now() - timedelta(days=1)
    for bad in ("forged", cookies.sign(SECRET, "browser-token", "old", past),
                cookies.sign("x" * 40, "browser-token", "other", NOW + timedelta(days=9999)),
                cookies.sign(SECRET, "session", "other", NOW + timedelta(days=9999))):
        client.cookies.clear()
        client.cookies.set("portal_browser", bad)
        response = client.post(browser_token.PATH)
        header = _set_cookie(response)
        assert header.startswith("portal_browser=") and bad not in header


def test_route_is_secure_by_setting_and_refuses_cross_site_and_get():
    secure = _client(secure=True)
    assert "secure" in [p.strip().lower() for p in _set_cookie(secure.post(browser_token.PATH)).split(";")]
    client = _client()
    refused = client.post(browser_token.PATH, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403 and _set_cookie(refused) == ""
    assert client.post(browser_token.PATH, headers={"Sec-Fetch-Site": "same-site"}).status_code == 403
    assert client.post(browser_token.PATH, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 204
    assert client.get(browser_token.PATH).status_code == 405


def test_blank_tokens_never_become_keys():
    with pytest.raises(ValueError):
        browser_token.token_hash(SECRET, "")
    assert browser_token.token({"portal_browser": ""}, SECRET) is None


def test_secure_cookies_setting():
    assert load_settings(env={"PORTAL_SECRET_KEY": SECRET}).secure_cookies is False
    assert load_settings(env={"PORTAL_SECRET_KEY": SECRET, "PORTAL_SECURE_COOKIES": "1"}).secure_cookies
    production = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": SECRET,
                  "PORTAL_DATABASE_URL": "postgresql://u@h/d"}
    assert load_settings(env=production).secure_cookies is True
    assert load_settings(env={**production, "PORTAL_SECURE_COOKIES": "0"}).secure_cookies is False
