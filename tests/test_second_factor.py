"""Officials' second factor: enrolment, one use per code, recovery codes, reset, audit."""
from datetime import datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from portal.accounts import actions, second_factor, sessions
from portal.accounts.models import AuditEntry, Official
from portal.validation import InputError

pytestmark = pytest.mark.security
T0 = datetime(2026, 11, 30, 9, 0, 0)


def _code(secret, at):
    return pyotp.TOTP(secret).at(at.timestamp() if at.tzinfo else (at - datetime(1970, 1, 1)).total_seconds())


def test_enrol_then_each_code_works_once_and_recovery_codes_once(portal, admin):
    actor, _ = admin
    key = portal.settings.secret_key
    secret = second_factor.new_secret()
    assert second_factor.enrolment_qr_png(secret, "chief").startswith(b"\x89PNG")
    with portal.db.write() as session:
        with pytest.raises(InputError):
            second_factor.enrol(session, key, actor, secret, "000000", now=T0)
    with portal.db.write() as session:
        codes = second_factor.enrol(session, key, actor, secret, _code(secret, T0), now=T0)
        official = session.get(Official, actor.id)
        assert second_factor.enrolled(official) and secret not in official.totp_secret
    assert len(codes) == 10 and len(set(codes)) == 10
    with portal.db.write() as session:
        official = session.get(Official, actor.id)
        assert not second_factor.verify(session, key, official, _code(secret, T0), now=T0)       # replay
        later = T0 + timedelta(seconds=30)
        assert second_factor.verify(session, key, official, _code(secret, later), now=later)
        assert not second_factor.verify(session, key, official, _code(secret, later), now=later)
        far = T0 + timedelta(minutes=5)
        assert not second_factor.verify(session, key, official, _code(secret, far - timedelta(minutes=2)), now=far)
        assert second_factor.verify(session, key, official, codes[0].lower(), now=far)          # recovery
        assert not second_factor.verify(session, key, official, codes[0], now=far)              # once
        assert second_factor.recovery_codes_left(session, actor.id) == 9
        actions_seen = session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.in_(["totp_enrol", "totp_use", "totp_failed", "recovery_code_use",
                                   "totp_enrol_failed"]))).all()
    assert sorted(set(actions_seen)) == ["recovery_code_use", "totp_enrol", "totp_enrol_failed",
                                         "totp_failed", "totp_use"]


def test_required_for_admin_and_named_roles():
    class S:
        second_factor_roles = "handler, publisher"
    assert second_factor.required(frozenset({"admin"}), S())
    assert second_factor.required(frozenset({"handler"}), S())
    assert not second_factor.required(frozenset({"analyst"}), S())
    S.second_factor_roles = ""
    assert second_factor.required(frozenset({"admin"}), S()) and not second_factor.required(frozenset({"handler"}), S())


def test_an_admin_resets_a_lost_phone_and_the_sessions_end(portal, admin):
    actor, _ = admin
    key = portal.settings.secret_key
    secret = second_factor.new_secret()
    with portal.db.write() as session:
        other = actions.create_official(session, actor, {"username": "clerk", "display_name": "办事员",
                                                         "roles": ["handler"], "password": "Tallow-Moss-4821"})
        second_factor.enrol(session, key, actions.actor_for(other), secret, _code(secret, T0), now=T0)
        running, _ = sessions.start(session, key, other.id, timedelta(hours=10))
    with portal.db.write() as session:
        actions.reset_second_factor(session, actor, "clerk")
        official = session.get(Official, other.id)
        assert not second_factor.enrolled(official) and second_factor.recovery_codes_left(session, other.id) == 0
        assert sessions.active_count(session, other.id) == 0
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "totp_reset"))
