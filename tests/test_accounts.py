import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.accounts import actions, audit
from portal.accounts.models import AuditEntry, Official, SignInDelay
from portal.accounts.passwords import password_problem, random_password, verify_password
from portal.accounts.rules import Actor
from portal.accounts.throttle import SignInThrottle, delay_after
from portal.validation import InputError

GOOD = "Str0ng-enough"
ROOT = Path(__file__).resolve().parents[1]


def _sign_in(portal, username, password, now=None, address="203.0.113.5", throttle=None):
    with portal.db.write() as session:
        return actions.sign_in(session, username, password, secret=portal.settings.secret_key,
                               address=address, throttle=throttle or SignInThrottle(), now=now)


def _add(portal, actor, username, roles, password=GOOD):
    with portal.db.write() as session:
        return actions.create_official(session, actor, {
            "username": username, "display_name": username.title(), "roles": roles,
            "password": password})


def test_password_is_stored_as_argon2_and_verifies(portal, admin):
    with portal.db.read() as session:
        official = session.scalar(select(Official).where(Official.username == "chief"))
    assert official.password_hash.startswith("$argon2id$")
    assert verify_password(official.password_hash, admin[1])
    assert not verify_password(official.password_hash, "wrong")


def test_the_product_hashes_with_argon2ids_default_cost():
    """The suite hashes at test strength in its own process (conftest); the product itself,
    as a server or the CLI runs it, uses argon2-cffi's defaults (RFC 9106's second choice:
    64 MiB, 3 passes, 4 lanes)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "from portal.accounts.passwords import hash_password;"
                          "print(hash_password('Str0ng-enough'))"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_sign_in_success_is_audited(portal, admin):
    result = _sign_in(portal, "CHIEF ", admin[1])
    assert result.actor.username == "chief" and result.actor.roles == {"admin"}
    with portal.db.read() as session:
        actions_logged = session.scalars(select(AuditEntry.action)).all()
    assert "sign_in" in actions_logged


@pytest.mark.security
def test_lockout_by_wrong_passwords_from_one_address_spares_the_others(portal, admin):
    start = datetime(2026, 11, 22, 8, 0)
    for i in range(5):
        assert _sign_in(portal, "chief", "nope", now=start + timedelta(seconds=i)).actor is None
    # That address now waits, and its try is refused without checking the password ...
    delayed = _sign_in(portal, "chief", admin[1], now=start + timedelta(seconds=10))
    assert delayed.actor is None and "再试" in delayed.message and "未核对" in delayed.message
    # ... while the right password from another address still signs in.
    assert _sign_in(portal, "chief", admin[1], now=start + timedelta(seconds=11),
                    address="198.51.100.7").actor is not None
    # The delay ends: the right password works again from the first address too.
    assert _sign_in(portal, "chief", admin[1], now=start + timedelta(seconds=35)).actor is not None
    with portal.db.read() as session:
        logged = session.scalars(select(AuditEntry.action)).all()
    assert logged.count("sign_in_failed") == 5 and logged.count("sign_in_locked") == 1


@pytest.mark.security
def test_lockout_delay_grows_with_each_failure_up_to_the_longest(portal, admin):
    assert [delay_after(n, 5, 900) for n in range(4, 12)] == [0, 30, 60, 120, 240, 480, 900, 900]
    now = datetime(2026, 11, 22, 8, 0)
    waits = []
    for _ in range(9):
        result = _sign_in(portal, "chief", "nope", now=now)
        assert "不正确" in result.message
        with portal.db.read() as session:
            until = session.scalar(select(func.max(SignInDelay.next_try_at)))
        wait = until - int((now - datetime(1970, 1, 1)).total_seconds())
        waits.append(max(wait, 0))
        # A try before the delay is over is refused and counts nothing.
        if wait > 1:
            early = _sign_in(portal, "chief", "nope", now=now + timedelta(seconds=wait - 1))
            assert "未核对" in early.message
        now += timedelta(seconds=wait)
    assert waits == [0, 0, 0, 0, 30, 60, 120, 240, 480]


@pytest.mark.security
def test_lockout_across_usernames_from_one_address_but_not_inside_the_bureau(portal, admin):
    start = datetime(2026, 11, 22, 8, 0)
    bureau = SignInThrottle(trusted_networks=("10.0.0.0/8",))
    for i in range(20):   # a spray: one password over many usernames, 4 x 5 failures
        _sign_in(portal, f"user{i}", "nope", now=start, throttle=bureau)
        _sign_in(portal, f"user{i}", "nope", now=start, address="10.1.2.3", throttle=bureau)
    # From a public address the whole address waits now, the right password included.
    refused = _sign_in(portal, "chief", admin[1], now=start, throttle=bureau)
    assert refused.actor is None and "本网络地址暂时不能登录" in refused.message
    # From the bureau's own network one person's spray never stops the others.
    assert _sign_in(portal, "chief", admin[1], now=start, address="10.1.2.3",
                    throttle=bureau).actor is not None


@pytest.mark.security
def test_lockout_inside_the_bureau_lasts_at_most_a_minute(portal, admin):
    start = datetime(2026, 11, 22, 8, 0)
    bureau = SignInThrottle(trusted_networks=("10.0.0.0/8",))
    now = start
    for _ in range(12):
        _sign_in(portal, "chief", "nope", now=now, address="10.1.2.3", throttle=bureau)
        now += timedelta(seconds=61)
    assert _sign_in(portal, "chief", admin[1], now=now, address="10.1.2.3",
                    throttle=bureau).actor is not None


@pytest.mark.security
def test_lockout_unlock_clears_the_delay_and_is_audited(portal, admin):
    now = datetime(2026, 11, 22, 8, 0)
    for _ in range(8):
        _sign_in(portal, "chief", "nope", now=now)
    assert _sign_in(portal, "chief", admin[1], now=now).actor is None
    with portal.db.write() as session:
        assert actions.unlock(session, admin[0], "chief") >= 2   # the pair and the address
    assert _sign_in(portal, "chief", admin[1], now=now).actor is not None
    with portal.db.read() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "official_unlock"))
    assert entry.object_id == "chief" and entry.actor_name == "chief"
    with portal.db.write() as session, pytest.raises(InputError):
        actions.unlock(session, admin[0], "nobody")


@pytest.mark.security
def test_unknown_user_gets_the_same_message_as_a_wrong_password(portal, admin):
    wrong = _sign_in(portal, "chief", "nope")
    unknown = _sign_in(portal, "nobody", "nope")
    assert wrong.message.split("。")[0] == unknown.message.split("。")[0]


@pytest.mark.security
def test_disabled_account_cannot_sign_in(portal, admin):
    actor = admin[0]
    _add(portal, actor, "clerk", ["handler"])
    with portal.db.write() as session:
        actions.set_active(session, actor, "clerk", False)
    assert _sign_in(portal, "clerk", GOOD).actor is None




def test_roles_and_permissions(portal, admin):
    handler = _add(portal, admin[0], "clerk", ["handler"])
    clerk = actions.actor_for(handler)
    assert clerk.may("handler") and not clerk.may("admin") and clerk.may(None)
    assert admin[0].may("publisher")  # admins may everything
    with portal.db.write() as session, pytest.raises(actions.PermissionDenied):
        actions.create_official(session, clerk, {"username": "x1x", "display_name": "X",
                                                 "roles": ["admin"], "password": GOOD})


@pytest.mark.parametrize("data,field", [
    ({"username": "A!", "display_name": "X", "roles": ["admin"], "password": GOOD}, "username"),
    ({"username": "abc", "display_name": "", "roles": ["admin"], "password": GOOD}, "display_name"),
    ({"username": "abc", "display_name": "X\x00", "roles": ["admin"], "password": GOOD}, "display_name"),
    ({"username": "abc", "display_name": "X", "roles": [], "password": GOOD}, "roles"),
    ({"username": "abc", "display_name": "X", "roles": ["root"], "password": GOOD}, "roles"),
    ({"username": "abc", "display_name": "X", "roles": ["admin"], "password": "short1"}, "password"),
    ({"username": "abc", "display_name": "X", "roles": ["admin"], "password": "abcdefghijkl"}, "password"),
    ({"username": "abc", "display_name": "X", "roles": ["admin"], "password": "Password12"}, "password"),
])
def test_bad_account_input_is_refused_and_nothing_written(portal, admin, data, field):
    with pytest.raises(InputError) as err:
        with portal.db.write() as session:
            actions.create_official(session, admin[0], data)
    assert field in err.value.errors
    with portal.db.read() as session:
        assert session.scalar(select(Official).where(Official.username == "abc")) is None


def test_duplicate_username_refused(portal, admin):
    with pytest.raises(InputError, match="已被使用"):
        _add(portal, admin[0], "chief", ["handler"])


def test_last_admin_cannot_be_disabled_or_demoted(portal, admin):
    actor = admin[0]
    _add(portal, actor, "deputy", ["admin"])
    with portal.db.write() as session, pytest.raises(InputError):
        actions.set_active(session, actor, "chief", False)  # oneself
    with portal.db.write() as session:
        actions.set_active(session, actor, "deputy", False)
    with portal.db.write() as session, pytest.raises(InputError, match="最后一个"):
        deputy = Actor(None, "cli:x", "cli", frozenset({"admin"}))
        actions.set_roles(session, deputy, "chief", ["handler"])


def test_reset_password_forces_change_and_change_clears_it(portal, admin):
    _add(portal, admin[0], "clerk", ["handler"])
    with portal.db.write() as session:
        temporary = actions.reset_password(session, admin[0], "clerk")
    assert password_problem(temporary) is None
    assert _sign_in(portal, "clerk", GOOD).actor is None
    result = _sign_in(portal, "clerk", temporary)
    assert result.actor and result.must_change_password
    with portal.db.write() as session, pytest.raises(InputError) as err:
        actions.change_own_password(session, result.actor, temporary, "Kite-river-lantern7", "Kite-river-lantern8")
    assert "repeat" in err.value.errors
    with portal.db.write() as session:
        actions.change_own_password(session, result.actor, temporary, "Kite-river-lantern7", "Kite-river-lantern7")
    again = _sign_in(portal, "clerk", "Kite-river-lantern7")
    assert again.actor and not again.must_change_password


def test_set_roles_is_audited_with_before_and_after(portal, admin):
    _add(portal, admin[0], "clerk", ["handler"])
    with portal.db.write() as session:
        actions.set_roles(session, admin[0], "clerk", ["handler", "analyst"])
    with portal.db.read() as session:
        total, rows = audit.search(session, audit.AuditFilter(action="official_set_roles"))
    assert total == 1 and '"after": ["analyst", "handler"]' in rows[0].detail


def test_audit_search_filters_by_person_action_and_local_date(portal, admin):
    with portal.db.write() as session:
        # 2026-11-21 23:30 in Shanghai is 15:30 UTC on the same day.
        audit.record(session, admin[0], "sign_in", at=datetime(2026, 11, 21, 15, 30))
        audit.record(session, admin[0], "sign_in", at=datetime(2026, 11, 21, 16, 30))  # 00:30 on 22nd
    from datetime import date
    with portal.db.read() as session:
        total, _ = audit.search(session, audit.AuditFilter(
            actor_name="chief", action="sign_in", date_from=date(2026, 11, 21),
            date_to=date(2026, 11, 21)))
        assert total == 1
        total, rows = audit.search(session, audit.AuditFilter(actor_name="nobody"))
        assert total == 0 and rows == []


@pytest.mark.security
def test_passwords_never_reach_the_log_or_audit(portal, admin, caplog):
    caplog.set_level(logging.DEBUG)
    _sign_in(portal, "chief", "Wrong-Secret-123")
    _sign_in(portal, "chief", admin[1])
    assert "Wrong-Secret-123" not in caplog.text and admin[1] not in caplog.text
    with portal.db.read() as session:
        details = " ".join(filter(None, session.scalars(select(AuditEntry.detail))))
    assert "Wrong-Secret-123" not in details and admin[1] not in details


@pytest.mark.security
@pytest.mark.parametrize("weak,reason", [("Password12", "常用密码"), ("aaaaaaaaa1", "重复"),
                                         ("1234567890a", "常用密码"), ("qwertyuiop1", "常用密码"),
                                         ("Zhangjiajie2026", "密码太容易被猜到")])
def test_weak_passwords_refused_with_the_reason_wherever_set(portal, admin, weak, reason):
    assert reason in password_problem(weak, "clerk")
    with portal.db.write() as session, pytest.raises(InputError) as err:
        actions.create_official(session, admin[0], {"username": "clerk", "display_name": "C",
                                                    "roles": ["handler"], "password": weak})
    assert "密码太容易被猜到" in err.value.errors["password"]
    with portal.db.write() as session, pytest.raises(InputError) as err:
        actions.change_own_password(session, admin[0], admin[1], weak, weak)
    assert "密码太容易被猜到" in err.value.errors["new"]
    for _ in range(20):   # an admin reset draws a password the policy accepts
        assert password_problem(random_password()) is None
