import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.accounts import actions, audit
from portal.accounts.models import AuditEntry, Official
from portal.accounts.passwords import password_problem, verify_password
from portal.accounts.rules import Actor, lockout_until
from portal.validation import InputError

GOOD = "Str0ng-enough"


def _sign_in(portal, username, password, now=None):
    with portal.db.write() as session:
        return actions.sign_in(session, username, password, max_failures=5, window_minutes=15,
                               now=now)


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


def test_sign_in_success_is_audited(portal, admin):
    result = _sign_in(portal, "CHIEF ", admin[1])
    assert result.actor.username == "chief" and result.actor.roles == {"admin"}
    with portal.db.read() as session:
        actions_logged = session.scalars(select(AuditEntry.action)).all()
    assert "sign_in" in actions_logged


@pytest.mark.security
def test_lockout_after_five_failures_in_fifteen_minutes(portal, admin):
    start = datetime(2026, 11, 22, 8, 0)
    for i in range(5):
        assert _sign_in(portal, "chief", "nope", now=start + timedelta(minutes=i)).actor is None
    locked = _sign_in(portal, "chief", admin[1], now=start + timedelta(minutes=6))
    assert locked.actor is None and "锁定" in locked.message
    # 15 minutes after the first failure the window has moved on.
    later = _sign_in(portal, "chief", admin[1], now=start + timedelta(minutes=15, seconds=1))
    assert later.actor is not None


@pytest.mark.security
def test_failures_spread_over_more_than_the_window_do_not_lock(portal, admin):
    start = datetime(2026, 11, 22, 8, 0)
    for i in range(6):
        _sign_in(portal, "chief", "nope", now=start + timedelta(minutes=4 * i))
    assert _sign_in(portal, "chief", admin[1], now=start + timedelta(minutes=24)).actor


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


@pytest.mark.security
def test_lockout_rule():
    now = datetime(2026, 1, 1, 12, 0)
    window = timedelta(minutes=15)
    fails = [now - timedelta(minutes=m) for m in (1, 2, 3, 4, 14)]
    assert lockout_until(fails, now, 5, window) == now - timedelta(minutes=14) + window
    assert lockout_until(fails[:4], now, 5, window) is None


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
        actions.change_own_password(session, result.actor, temporary, "New-passw0rd", "Other-passw0rd")
    assert "repeat" in err.value.errors
    with portal.db.write() as session:
        actions.change_own_password(session, result.actor, temporary, "New-passw0rd", "New-passw0rd")
    again = _sign_in(portal, "clerk", "New-passw0rd")
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
