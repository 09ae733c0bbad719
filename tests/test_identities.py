"""Single sign-on identities (portal.accounts.identities): an admin links an OpenID Connect
identity to an account; a fresh ID token of a linked identity signs in once, as that account;
anything else is refused. On SQLite, and on PostgreSQL with PORTAL_TEST_DATABASE_URL."""
import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from helpers.db import official
from portal.accounts import actions, identities, sessions
from portal.accounts.models import AuditEntry, OfficialIdentity
from portal.accounts.views import audit_rows
from portal.validation import InputError

pytestmark = pytest.mark.security
ISSUER = "https://tyrz.example.gov.cn"
T0 = datetime(2026, 12, 1, 8, 30)
DAY = timedelta(hours=10)


def _claims(subject="u-1001", at=T0, name="王小明", issuer=ISSUER):
    iat = int(at.replace(tzinfo=timezone.utc).timestamp())
    return identities.claims_from({"iss": issuer, "sub": subject, "iat": iat, "name": name,
                                   "nonce": "n", "aud": "portal"})


def _audit(portal, action):
    with portal.db.read() as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                               .order_by(AuditEntry.id)).all()


def test_link_is_validated_admin_only_unique_and_audited(portal, admin):
    actor, _ = admin
    handler = official(portal, "handler", "wang")
    bad = [({"issuer": "http://tyrz.example.gov.cn", "subject": "u-1"}, "issuer"),    # not https
           ({"issuer": "tyrz.example.gov.cn", "subject": "u-1"}, "issuer"),
           ({"issuer": ISSUER + "?x=1", "subject": "u-1"}, "issuer"),
           ({"issuer": ISSUER, "subject": "王 小明"}, "subject"),
           ({"issuer": ISSUER, "subject": ""}, "subject"),
           ({"issuer": ISSUER, "subject": "x" * 256}, "subject")]
    for data, field in bad:
        with portal.db.write() as session, pytest.raises(InputError) as refused:
            identities.link(session, actor, "wang", data)
        assert field in refused.value.errors, data
    with portal.db.write() as session, pytest.raises(actions.PermissionDenied):
        identities.link(session, handler, "wang", {"issuer": ISSUER, "subject": "u-1001"})
    with portal.db.write() as session, pytest.raises(InputError) as unknown:
        identities.link(session, actor, "nobody", {"issuer": ISSUER, "subject": "u-1001"})
    assert "nobody" in unknown.value.errors["username"]
    with portal.db.write() as session:
        identities.link(session, actor, "wang", {"issuer": ISSUER, "subject": " u-1001 "})
    with portal.db.write() as session, pytest.raises(InputError) as taken:     # one account per identity
        identities.link(session, actor, "chief", {"issuer": ISSUER, "subject": "u-1001"})
    assert "wang" in taken.value.errors["subject"]
    with portal.db.write() as session:          # a test provider on this machine may use http
        identities.link(session, actor, "chief", {"issuer": "http://localhost:9400", "subject": "u-1001"})
        assert [(u, link.subject) for link, u in identities.linked(session)] == [("chief", "u-1001"),
                                                                                  ("wang", "u-1001")]
    entries = _audit(portal, "official_link_identity")
    assert [e.object_id for e in entries] == ["wang", "chief"]
    row = audit_rows([entries[0]])[0]
    assert row["操作"] == "关联统一身份认证" and f"身份提供方：{ISSUER}" in row["详情"] \
        and "用户标识：u-1001" in row["详情"]


def test_a_fresh_token_of_a_linked_identity_signs_in_once_as_that_account(portal, admin):
    actor, _ = admin
    official(portal, "handler", "wang")
    with portal.db.write() as session:                     # not linked yet: refused, and listed
        refused = identities.sign_in(session, _claims(), now=T0)
    assert refused.actor is None and "管理员" in refused.message
    with portal.db.read() as session:
        waiting = identities.recent_unlinked(session, T0 - timedelta(days=1))
    assert [(w["issuer"], w["subject"], w["name"]) for w in waiting] == [(ISSUER, "u-1001", "王小明")]
    assert audit_rows(_audit(portal, "sign_in_sso_unlinked"))[0]["操作"] == "统一身份认证登录被拒（身份未关联）"

    with portal.db.write() as session:
        identities.link(session, actor, "wang", {"issuer": ISSUER, "subject": "u-1001"})
    with portal.db.read() as session:
        assert identities.recent_unlinked(session, T0 - timedelta(days=1)) == []
    later = T0 + timedelta(minutes=2)
    with portal.db.write() as session:
        result = identities.sign_in(session, _claims(at=later), now=later + timedelta(seconds=3))
    assert result.actor.username == "wang" and result.actor.roles == {"handler"}
    assert result.identity_id and not result.must_change_password
    with portal.db.write() as session:                     # the same token again: nothing, silently
        again = identities.sign_in(session, _claims(at=later), now=later + timedelta(seconds=9))
        older = identities.sign_in(session, _claims(at=later - timedelta(seconds=30)), now=later)
    assert again.actor is None and again.message == "" and older.actor is None
    stale_at = later + identities.FRESH + timedelta(minutes=1)     # Streamlit's 30-day cookie
    with portal.db.write() as session:
        stale = identities.sign_in(session, _claims(at=later + timedelta(seconds=1)), now=stale_at)
        future = identities.sign_in(session, _claims(at=stale_at + timedelta(hours=1)), now=stale_at)
        no_time = identities.sign_in(session, identities.claims_from({"iss": ISSUER, "sub": "u-1001"}),
                                     now=stale_at)
    assert stale.actor is None and future.actor is None and no_time.actor is None
    with portal.db.write() as session:                     # a new sign-in at the provider: a new token
        fresh = identities.sign_in(session, _claims(at=stale_at), now=stale_at)
    assert fresh.actor.username == "wang"
    entries = _audit(portal, "sign_in_sso")
    assert len(entries) == 2 and json.loads(entries[0].detail)["subject"] == "u-1001"


def test_a_disabled_account_and_another_issuer_are_refused(portal, admin):
    actor, _ = admin
    official(portal, "handler", "wang")
    with portal.db.write() as session:
        identities.link(session, actor, "wang", {"issuer": ISSUER, "subject": "u-1001"})
        actions.set_active(session, actor, "wang", False)
    with portal.db.write() as session:
        disabled = identities.sign_in(session, _claims(), now=T0)
        elsewhere = identities.sign_in(session, _claims(issuer="https://other.example.com"), now=T0)
    assert disabled.actor is None and "停用" in disabled.message
    assert elsewhere.actor is None and "管理员" in elsewhere.message


def test_unlinking_ends_the_sessions_begun_through_the_identity_only(portal, admin):
    actor, _ = admin
    handler = official(portal, "handler", "wang")
    with portal.db.write() as session:
        link = identities.link(session, actor, "wang", {"issuer": ISSUER, "subject": "u-1001"})
        by_sso, _ = sessions.start(session, "k" * 40, handler.id, DAY, now=T0, identity_id=link.id)
        by_password, _ = sessions.start(session, "k" * 40, handler.id, DAY, now=T0)
    with portal.db.write() as session:
        assert sessions.check(session, by_sso, DAY, now=T0).identity_id == link.id
        assert sessions.check(session, by_password, DAY, now=T0).identity_id is None
    with portal.db.write() as session, pytest.raises(actions.PermissionDenied):
        identities.unlink(session, handler, {"issuer": ISSUER, "subject": "u-1001"})
    with portal.db.write() as session:
        assert identities.unlink(session, actor, {"issuer": ISSUER, "subject": "u-1001"}).username == "wang"
    with portal.db.write() as session:
        assert sessions.check(session, by_sso, DAY).ended == "unlinked"
        assert sessions.check(session, by_password, DAY).official is not None
        assert session.scalar(select(OfficialIdentity)) is None
        with pytest.raises(InputError):
            identities.unlink(session, actor, {"issuer": ISSUER, "subject": "u-1001"})
    row = audit_rows(_audit(portal, "official_unlink_identity"))[0]
    assert row["操作"] == "取消统一身份认证关联" and "用户标识：u-1001" in row["详情"]


def test_two_tabs_racing_with_one_token_get_one_session(portal, admin):
    """The token is taken by a conditional update: parallel sign-ins with it succeed once."""
    actor, _ = admin
    official(portal, "handler", "wang")
    with portal.db.write() as session:
        identities.link(session, actor, "wang", {"issuer": ISSUER, "subject": "u-1001"})
    results, start = [], threading.Barrier(6)

    def attempt():
        start.wait()
        try:
            with portal.db.write() as session:
                results.append(identities.sign_in(session, _claims(), now=T0).actor)
        except Exception as exc:         # a serialisation failure counts as a refusal
            results.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 6
    assert sum(1 for r in results if r is not None and not isinstance(r, Exception)) == 1


def test_the_command_line_links_and_unlinks(portal, monkeypatch, capsys):
    from portal.cli import main

    official(portal, "handler", "wang")
    monkeypatch.setenv("PORTAL_DATABASE_URL", portal.settings.database_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(portal.settings.var_dir))
    monkeypatch.setenv("PORTAL_SECRET_KEY", portal.settings.secret_key)
    monkeypatch.setenv("PORTAL_DEMO", "0")
    assert main(["users", "link-identity", "wang", "--issuer", ISSUER, "--subject", "u-1001"]) == 0
    assert "wang" in capsys.readouterr().out
    assert main(["users", "link-identity", "wang", "--issuer", "ftp://x", "--subject", "u-2"]) == 2
    assert "https://" in capsys.readouterr().err
    assert main(["users", "unlink-identity", "--issuer", ISSUER, "--subject", "u-1001"]) == 0
    assert "取消" in capsys.readouterr().out
    assert [e.actor_name.startswith("cli:") for e in _audit(portal, "official_unlink_identity")] == [True]


def test_without_an_auth_block_the_sign_in_page_offers_only_the_password(app_env):
    """Single sign-on is off unless Streamlit's [auth] secrets are set (the tests set none)."""
    from helpers.pages import open_page

    at = open_page("pages/login.py")
    labels = [b.label for b in at.button]
    assert "登录" in labels and "统一身份认证登录" not in labels


def test_the_provider_counts_as_the_second_factor_only_when_the_setting_says_so():
    """PORTAL_SSO_SECOND_FACTOR: "portal" (default) still asks an admin for the portal's TOTP
    after single sign-on; "provider" takes the provider's sign-in as two-factor, and only for a
    session that began with single sign-on."""
    from types import SimpleNamespace

    import streamlit as st

    from portal.accounts.rules import Actor
    from portal.config import Settings
    from portal.ui import layout

    assert Settings.model_fields["sso_second_factor"].default == "portal"
    settings = SimpleNamespace(second_factor_roles="admin", sso_second_factor="portal")
    ctx = SimpleNamespace(actor=Actor(1, "chief", "主任", frozenset({"admin"})), settings=settings)
    try:
        st.session_state[layout.SECOND_FACTOR_ENROLLED] = False
        st.session_state[layout.SSO_SESSION] = 7                 # began with single sign-on
        assert layout.second_factor_missing(ctx)
        settings.sso_second_factor = "provider"
        assert not layout.second_factor_missing(ctx)
        st.session_state[layout.SSO_SESSION] = None              # a password sign-in
        assert layout.second_factor_missing(ctx)
        st.session_state[layout.SECOND_FACTOR_ENROLLED] = True
        assert not layout.second_factor_missing(ctx)
    finally:                  # outside a script run, session state is the process's own
        for key in (layout.SECOND_FACTOR_ENROLLED, layout.SSO_SESSION):
            st.session_state.pop(key, None)
