"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when
PORTAL_TEST_DATABASE_URL is set (CI sets it). PostgreSQL tests run in a schema of their own,
dropped afterwards, so the shared database is left as it was found."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
SHARED = ROOT.parent / "shared"


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_url():
    if not PG_URL:
        pytest.skip("PORTAL_TEST_DATABASE_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(PG_URL, schema)
    finally:
        from portal.db import dispose_engines

        dispose_engines()   # close the pools: a dropped schema's connections must not linger
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def settings(db_url, tmp_path):
    from portal.config import load_settings

    return load_settings({"PORTAL_DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp_path / "var"),
                          "PORTAL_DEMO": "0"}, secrets_path=tmp_path / "none.toml")


@pytest.fixture
def portal(settings):
    from portal.bootstrap import bootstrap

    return bootstrap(settings)


@pytest.fixture
def admin(portal):
    """An admin account (password in .password) and its Actor."""
    from portal.accounts import actions
    from portal.accounts.rules import cli_actor

    password = "Adm1n-pass-word"
    with portal.db.write() as session:
        official = actions.create_official(session, cli_actor("test"), {
            "username": "chief", "display_name": "局长", "roles": ["admin"],
            "password": password})
        actor = actions.actor_for(official)
    return actor, password


# The security suite: `python -m pytest -m security` runs exactly these, wherever they live.
SECURITY_TESTS = ("test_security.py", "test_hostile_inputs.py", "test_faults.py::test_a_failing_page",
                  "test_pages.py::test_official_pages_refuse", "test_pages.py::test_wrong_role",
                  "test_accounts.py::test_lockout", "test_accounts.py::test_weak_passwords", "test_lockout.py",
                  "test_accounts.py::test_unknown_user", "test_accounts.py::test_disabled_account",
                  "test_accounts.py::test_idle_rule", "test_accounts.py::test_passwords_never",
                  "test_exports.py", "test_complaint_pages.py::test_no_public_page",
                  "test_complaints.py::test_bad_photos", "test_complaints.py::test_bad_input",
                  "test_complaints.py::test_officials_without_the_role",
                  "test_complaints.py::test_public_statistics_never", "test_rounds.py::test_crafted_vote",
                  "test_survey_pages.py::test_overview", "test_api.py::test_bad_parameters",
                  "test_api.py::test_cases_never_carry_personal_data",
                  "test_api.py::test_each_client_is_limited", "test_api.py::test_client_address",
                  "test_api.py::test_reversed_dates")


def pytest_configure(config):
    config.addinivalue_line("markers", "security: the security suite (run alone with -m security)")


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        node = item.nodeid.split("/")[-1]
        if node.startswith(SECURITY_TESTS):
            item.add_marker(pytest.mark.security)
