"""Limits a stranger cannot turn against the rightful person, and that parallel tries cannot
pass: sign-in delays and tracking-code limits (the design is in accounts/throttle.py and
complaints/filing.find_case)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import func, select

from helpers.complaints import add_business, client, complaint_form
from portal.accounts import actions
from portal.accounts.models import AuditEntry
from portal.complaints import filing, rules
from portal.clients import Client
from portal.validation import InputError

pytestmark = pytest.mark.security


def _file(portal, who=0):
    with portal.db.write() as session:
        return filing.submit(session, portal.settings.secret_key, portal.profile.adcode,
                             complaint_form(add_business(portal, f"店{who}")), [], client(who))


def _track(portal, number, code, address, session_id="s"):
    """'found', 'wrong' (the code was compared) or 'refused' (not compared)."""
    try:
        with portal.db.write() as session:
            case = filing.find_case(session, portal.settings.secret_key, number, code,
                                    Client(session_id, address))
    except InputError:
        return "refused"
    return "found" if case is not None else "wrong"


def _parallel(fn, args, workers=12):
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda a: fn(*a), args))


def test_shared_address_does_not_lock_the_rightful_citizen_out(portal):
    limit = rules.limits()
    school = "203.0.113.9"
    mine = _file(portal, 1)
    # Pupils at the school mistype their numbers or codes: the address's 20 failures go.
    tries = [_track(portal, f"TS20261122{i:06d}", "WRONGCODE", school)
             for i in range(limit["track_failures_per_address_per_hour"])]
    assert tries.count("wrong") == len(tries)
    # The rightful citizen at the school may mistype once, and then gets in.
    assert _track(portal, mine.tracking_no, "WRONGCODE", school) == "wrong"
    assert _track(portal, mine.tracking_no, mine.code, school) == "found"
    # A guesser there is held to two tries per further number.
    assert [_track(portal, mine.tracking_no, f"GUESS{i}", school) for i in range(3)] == \
        ["wrong", "refused", "refused"]
    # Elsewhere, the citizen's right code still works.
    assert _track(portal, mine.tracking_no, mine.code, "198.51.100.1") == "found"


def test_tracking_number_limit_holds_against_many_addresses(portal):
    limit = rules.limits()
    case = _file(portal)
    per_pair = limit["track_failures_per_number_and_address_per_hour"]
    per_number = limit["track_failures_per_number_per_hour"]
    one = [_track(portal, case.tracking_no, f"GUESS{i}", "203.0.113.1") for i in range(per_pair + 2)]
    assert one.count("wrong") == per_pair and one[-1] == "refused"
    # One address alone cannot use the number up: the right code still works from another.
    assert _track(portal, case.tracking_no, case.code, "203.0.113.2") == "found"
    many = [_track(portal, case.tracking_no, f"GUESS{i}", f"198.51.100.{i}") for i in range(per_number)]
    assert many.count("wrong") == per_number - per_pair
    assert _track(portal, case.tracking_no, "GUESSMORE", "192.0.2.77") == "refused"


def test_parallel_wrong_passwords_on_postgresql_never_pass_the_limit(pg_url, tmp_path):
    from portal.bootstrap import bootstrap
    from portal.config import load_settings
    from portal.accounts.rules import cli_actor

    settings = load_settings({"PORTAL_DATABASE_URL": pg_url, "PORTAL_VAR_DIR": str(tmp_path / "var"),
                              "PORTAL_DEMO": "0"}, secrets_path=tmp_path / "none.toml")
    portal = bootstrap(settings)
    with portal.db.write() as session:
        actions.create_official(session, cli_actor("t"), {"username": "chief", "display_name": "局长",
                                                          "roles": ["admin"], "password": "Adm1n-pass-word"})
    now = datetime(2026, 11, 22, 8, 0)

    def attempt(address):
        with portal.db.write() as session:
            return actions.sign_in(session, "chief", "nope", secret=settings.secret_key,
                                   address=address, now=now).message

    results = _parallel(attempt, [("203.0.113.5",)] * 12)
    checked = [m for m in results if "不正确" in m]
    assert len(checked) == settings.lockout_failures, results
    # Across usernames: 4 x 5 per address, however many threads try at once.
    many = _parallel(lambda i: _sign_as(portal, settings, f"user{i}", now), [(i,) for i in range(40)])
    assert many.count(True) == 4 * settings.lockout_failures
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "sign_in_failed")) == 5 + 20


def _sign_as(portal, settings, name, now):
    with portal.db.write() as session:
        message = actions.sign_in(session, name, "nope", secret=settings.secret_key,
                                  address="198.51.100.9", now=now).message
    return "不正确" in message


def test_parallel_tracking_guesses_on_postgresql_never_pass_the_limits(pg_url, tmp_path):
    from portal.bootstrap import bootstrap
    from portal.config import load_settings

    settings = load_settings({"PORTAL_DATABASE_URL": pg_url, "PORTAL_VAR_DIR": str(tmp_path / "var"),
                              "PORTAL_DEMO": "0"}, secrets_path=tmp_path / "none.toml")
    portal = bootstrap(settings)
    limit = rules.limits()
    case = _file(portal)
    one = _parallel(_track, [(portal, case.tracking_no, f"G{i}", "203.0.113.1") for i in range(26)])
    assert one.count("wrong") == limit["track_failures_per_number_and_address_per_hour"]
    many = _parallel(_track, [(portal, case.tracking_no, f"G{i}", f"198.51.100.{i}") for i in range(40)])
    assert one.count("wrong") + many.count("wrong") == limit["track_failures_per_number_per_hour"]


def test_wrong_passwords_on_the_sign_in_page_delay_and_the_admin_unlocks(app_env):
    import os

    from helpers.pages import demo_password, open_page, sign_in, texts
    from portal.db import Database

    at = open_page("pages/login.py")
    for _ in range(6):
        sign_in(at, "demo_handler", "Wrong-guess-42")
    sign_in(at, "demo_handler", demo_password(app_env, "demo_handler"))
    assert "未核对" in texts(at) and "再试" in texts(at)
    admin = open_page("pages/login.py")
    sign_in(admin, "demo_admin", demo_password(app_env, "demo_admin"))
    admin.switch_page("pages/accounts.py").run()
    assert "当前需要等待的账号：demo_handler" in texts(admin)
    next(s for s in admin.selectbox if s.key == "unlock_who").select("demo_handler")
    next(b for b in admin.button if b.label == "解除登录限制").click()
    admin.run()
    assert not admin.exception and "已解除 demo_handler 的登录限制" in texts(admin)
    with Database(os.environ["PORTAL_DATABASE_URL"]).read() as session:
        assert session.scalar(select(AuditEntry.actor_name).where(
            AuditEntry.action == "official_unlock", AuditEntry.object_id == "demo_handler")) == "demo_admin"
    sign_in(at, "demo_handler", demo_password(app_env, "demo_handler"))
    assert "我的账号" in texts(at)
