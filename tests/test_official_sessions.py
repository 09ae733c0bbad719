"""Officials' sign-in that lasts a working day and ends when it should
(portal.accounts.sessions and the cookie routes in portal.official_session)."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.accounts import actions, sessions
from portal.accounts.models import AuditEntry, OfficialSession

pytestmark = pytest.mark.security
SECRET = "s" * 40
IDLE, DAY = timedelta(minutes=30), timedelta(hours=10)
T0 = datetime(2026, 11, 30, 8, 0)


def _signed_in(portal, admin, at=T0):
    actor, _ = admin
    with portal.db.write() as session:
        session_id, code = sessions.start(session, SECRET, actor.id, DAY, now=at)
    with portal.db.write() as session:
        token = sessions.redeem(session, SECRET, code, now=at + timedelta(seconds=5))
    return session_id, code, token


def test_the_handover_code_gives_one_token_once_and_only_for_a_minute(portal, admin):
    actor, _ = admin
    session_id, code, token = _signed_in(portal, admin)
    assert token
    with portal.db.write() as session:
        assert sessions.redeem(session, SECRET, code, now=T0 + timedelta(seconds=6)) is None   # used
        late_id, late = sessions.start(session, SECRET, actor.id, DAY, now=T0)
        assert sessions.redeem(session, SECRET, late, now=T0 + timedelta(minutes=2)) is None    # too late
        for bad in (None, "", "x" * 500, 42, code + "x"):
            assert sessions.redeem(session, SECRET, bad, now=T0) is None
        stored = session.get(OfficialSession, session_id)
        assert stored.token_hash and token not in stored.token_hash and stored.handoff_hash is None


def test_a_reload_resumes_until_idle_or_the_working_day_is_over(portal, admin):
    session_id, _, token = _signed_in(portal, admin)
    with portal.db.write() as session:
        found = sessions.resume(session, SECRET, token, IDLE, now=T0 + timedelta(minutes=20))
        assert found.session_id == session_id and found.official.username == "chief"
        # Activity in any tab slides the idle limit: 20 + 29 minutes is still fine.
        assert sessions.check(session, session_id, IDLE, now=T0 + timedelta(minutes=49)).official
    with portal.db.write() as session:
        ended = sessions.check(session, session_id, IDLE, now=T0 + timedelta(minutes=80))
        assert ended.official is None and ended.ended == "idle"
        assert sessions.resume(session, SECRET, token, IDLE, now=T0 + timedelta(minutes=81)).official is None
    other_id, _, other = _signed_in(portal, admin)
    with portal.db.write() as session:
        for minutes in range(0, 10 * 60, 25):        # busy all day: never idle
            assert sessions.check(session, other_id, IDLE, now=T0 + timedelta(minutes=minutes)).official
        assert sessions.check(session, other_id, IDLE, now=T0 + DAY).ended == "lifetime"
    with portal.db.write() as session:
        assert sessions.resume(session, SECRET, "forged-token", IDLE, now=T0).official is None
        assert sessions.resume(session, "another-secret" * 3, token, IDLE, now=T0).official is None


def test_sign_out_admin_password_change_and_disabling_end_sessions(portal, admin):
    actor, password = admin
    first, _, token = _signed_in(portal, admin)
    second, _, _ = _signed_in(portal, admin)
    with portal.db.write() as session:
        sessions.end_by_token(session, SECRET, token, now=T0 + timedelta(minutes=1))
        assert sessions.check(session, first, IDLE, now=T0 + timedelta(minutes=2)).official is None
        assert sessions.check(session, second, IDLE, now=T0 + timedelta(minutes=2)).official
    extra, _, _ = _signed_in(portal, admin)
    with portal.db.write() as session:
        actions.change_own_password(session, actor, password, "Another-Strong-9", "Another-Strong-9",
                                    keep_session=second)
        assert session.get(OfficialSession, extra).ended_reason == "password"
        third, _ = sessions.start(session, SECRET, actor.id, DAY)
    with portal.db.write() as session:
        assert sessions.active_count(session, actor.id, now=T0 + timedelta(minutes=5)) == 2   # second, third
        other = actions.create_official(session, actor, {
            "username": "clerk", "display_name": "办事员", "roles": ["handler"], "password": "Tallow-Moss-4821"})
        clerk_session, _ = sessions.start(session, SECRET, other.id, DAY)
    with portal.db.write() as session:
        assert actions.end_sessions(session, actor, "clerk") == 1
        assert session.get(OfficialSession, clerk_session).ended_reason == "admin"
        clerk_again, _ = sessions.start(session, SECRET, other.id, DAY)
        actions.set_active(session, actor, "clerk", False)
        assert session.get(OfficialSession, clerk_again).ended_reason == "disabled"
        reasons = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "session_end")).all()
        assert len(reasons) == 4
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "official_end_sessions"))


def test_the_routes_set_and_drop_an_httponly_cookie(portal, admin):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from portal.official_session import HANDOFF_HEADER, official_cookie, session_routes

    actor, _ = admin
    settings = portal.settings
    app = Starlette(routes=session_routes(settings, lambda: portal.db))
    client = TestClient(app, base_url="https://portal.test")
    with portal.db.write() as session:
        session_id, code = sessions.start(session, settings.secret_key, actor.id, DAY)
    same = {"sec-fetch-site": "same-origin"}
    assert client.post("/official-session", headers={HANDOFF_HEADER: code, "sec-fetch-site": "cross-site"}
                       ).status_code == 403
    assert client.post("/official-session", headers={HANDOFF_HEADER: code}).status_code == 403  # no site
    answer = client.post("/official-session", headers={HANDOFF_HEADER: code, **same})
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert "portal_official=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.post("/official-session", headers={HANDOFF_HEADER: code, **same}).status_code == 403
    assert client.get("/official-session").status_code == 405
    name = official_cookie(settings.session_hours).name
    assert client.cookies.get(name)
    gone = client.post("/official-session/end", headers=same)
    assert gone.status_code == 204 and 'portal_official=""' in gone.headers["set-cookie"]
    with portal.db.read() as session:
        assert session.get(OfficialSession, session_id).ended_reason == "sign_out"
