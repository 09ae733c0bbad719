"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when
PORTAL_TEST_DATABASE_URL is set (CI sets it). PostgreSQL tests run in a schema of their own,
dropped afterwards, so the shared database is left as it was found."""
from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent


def _test_strength_password_hashing() -> None:
    """Passwords hashed in this process use argon2id at its smallest cost: the suite creates
    and signs in officials hundreds of times, and the product's cost (about 0.2 s a hash,
    64 MB) is what makes guessing slow, not what the tests are about. Servers the tests start
    run the product's own settings (tests/test_accounts.py checks them in a fresh process)."""
    from argon2 import PasswordHasher

    from portal.accounts import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DUMMY_HASH = None     # made again, at this strength, when first needed


_test_strength_password_hashing()


def _bytecode_caches_written() -> None:
    """The suite writes Python's bytecode caches (__pycache__/, ignored by git) even where the
    environment says not to (PYTHONDONTWRITEBYTECODE, set on the project's machine): its
    hundred-odd processes (test workers, servers, command lines) would otherwise compile the
    portal's modules again each time, and each test worker rewrote every test module's
    asserts again (3 s of the 8 s a worker spends collecting). Set here, before the test
    workers and servers start, so they inherit it."""
    sys.dont_write_bytecode = False
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


_bytecode_caches_written()
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
SHARED = ROOT.parent / "shared"


def _pg_schema_url(base: str, schema: str) -> str:
    """The test's schema first on the search path; commits without waiting for the disk
    (synchronous_commit=off: a crash could lose the last moments of a throw-away schema, which
    no test needs; migrating a fresh schema then takes a quarter of the time)."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


@contextmanager
def _pg_schema():
    """A new schema on the test database (its URL), dropped afterwards."""
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


@pytest.fixture
def pg_url():
    """An empty PostgreSQL schema of the test's own: for tests of migrating and first start."""
    with _pg_schema() as url:
        yield url


# The rows the migrations themselves write; every other table starts a test empty.
MIGRATION_ROWS = {"alembic_version", "roles"}


@pytest.fixture(scope="session")
def pg_migrated():
    """One PostgreSQL schema per test process, migrated once (migrating takes about a second
    of the server's work; emptying the tables, a hundredth of that). Yields the URL, the
    tables to empty, children before parents, and the schema's sequences."""
    from sqlalchemy import MetaData

    from portal.db import Database, upgrade

    with _pg_schema() as url:
        db = Database(url)
        upgrade(db.engine)
        with db.engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            filled = {t for t in tables if conn.scalar(text(f'SELECT count(*) FROM "{t}"'))}
            schema = conn.scalar(text("SELECT current_schema()"))
            sequences = conn.scalars(text(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = :s"),
                {"s": schema}).all()
            reflected = MetaData()
            reflected.reflect(conn)
        db.engine.dispose()
        # A migration that writes rows elsewhere must be added to MIGRATION_ROWS, or tests
        # would start without them.
        assert filled == MIGRATION_ROWS, filled
        children_first = [t.name for t in reversed(reflected.sorted_tables)
                          if t.name not in MIGRATION_ROWS]
        assert set(children_first) == set(tables) - MIGRATION_ROWS
        yield url, children_first, sequences


@pytest.fixture
def pg_db_url(pg_migrated):
    """The process's migrated PostgreSQL schema with every table emptied and every sequence
    back at 1: a database at the newest migration that no test has written to. DELETE, not
    TRUNCATE: most tests leave a few rows, and TRUNCATE gives each of the 50-odd tables
    and their indexes new files (0.2 s idle, seconds on a busy machine; DELETE takes 10 ms)."""
    from portal.db import dispose_engines

    url, children_first, sequences = pg_migrated
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '60s'"))   # a lingering session fails loudly
        conn.execute(text("; ".join(f'DELETE FROM "{t}"' for t in children_first)))
        if sequences:
            conn.execute(text("SELECT " + ", ".join(f"setval('\"{s}\"', 1, false)" for s in sequences)))
    engine.dispose()
    yield url
    dispose_engines()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A database at the newest migration, on SQLite (a file of the test's own; the `portal`
    fixture starts it as a copy of migrated_sqlite) and on PostgreSQL (pg_db_url)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    return request.getfixturevalue("pg_db_url")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    """A database nothing has touched yet, as before the portal's first start."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def settings(db_url, tmp_path):
    from portal.config import load_settings

    return load_settings({"PORTAL_DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp_path / "var"),
                          "PORTAL_DEMO": "0"}, secrets_path=tmp_path / "none.toml")


def _built_once_per_run(tmp_path_factory, name: str, build) -> Path:
    """A folder `build(folder)` fills, made once per run and shared by the run's test
    processes (pytest-xdist's workers share the run's base temporary folder; the first to take
    the lock builds, the others wait for it and reuse it)."""
    import fcntl

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        root = tmp_path_factory.mktemp(name)
        build(root)
        return root
    shared = tmp_path_factory.getbasetemp().parent / name
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / ".built").exists():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            build(shared)
            (shared / ".built").touch()
    return shared


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """An empty portal database at the newest migration, made once per run by bootstrap
    itself (migrating a SQLite file takes most of a second; copying it, a millisecond)."""
    from portal.bootstrap import bootstrap
    from portal.config import load_settings

    def build(root: Path) -> None:
        settings = load_settings({"PORTAL_DATABASE_URL": f"sqlite:///{root / 'portal.sqlite3'}",
                                  "PORTAL_VAR_DIR": str(root / "var"), "PORTAL_DEMO": "0"},
                                 secrets_path=root / "none.toml")
        bootstrap(settings).db.engine.dispose()
        with sqlite3.connect(root / "portal.sqlite3") as conn:   # everything into the one file
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    return _built_once_per_run(tmp_path_factory, "migrated", build) / "portal.sqlite3"


@pytest.fixture
def portal(settings, request):
    """The portal after bootstrap on the test's database. On SQLite the file starts as a copy
    of migrated_sqlite, so bootstrap finds it at the newest migration and only syncs the
    jurisdiction, as on any later start."""
    from portal.bootstrap import bootstrap

    if settings.database_url.startswith("sqlite:///"):
        path = Path(settings.database_url.removeprefix("sqlite:///"))
        if not path.exists():
            shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
    return bootstrap(settings)


def app_environment(monkeypatch, root: Path) -> None:
    """The settings a page test's portal runs with: a SQLite file and var/ under root, the demo on."""
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{root / 'app.sqlite3'}")
    monkeypatch.setenv("PORTAL_VAR_DIR", str(root / "var"))
    monkeypatch.setenv("PORTAL_DEMO", "1")
    monkeypatch.delenv("PORTAL_JURISDICTION", raising=False)


@pytest.fixture
def fresh_app_env(monkeypatch, tmp_path):
    """The portal before its first start: no database file yet (the app migrates and seeds the
    demo itself), for tests of the first start or of another jurisdiction's demo."""
    app_environment(monkeypatch, tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """What the portal's first start leaves behind, built once per run by the app's own start-up
    (bootstrap: migrate, then generate the small demo): app.sqlite3 and var/ (the secret key the
    demo's keyed hashes use, demo_accounts.txt with the demo officials' passwords)."""
    from portal.bootstrap import bootstrap

    def build(root: Path) -> None:
        with pytest.MonkeyPatch.context() as monkeypatch:
            app_environment(monkeypatch, root)
            bootstrap().db.engine.dispose()
        with sqlite3.connect(root / "app.sqlite3") as conn:   # everything into the one file
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    return _built_once_per_run(tmp_path_factory, "demo-template", build)


@pytest.fixture
def app_env(monkeypatch, tmp_path, demo_template):
    """The portal on a SQLite file of its own with the small demo, as on first start: a copy of
    demo_template (generating the demo again takes seconds a test)."""
    shutil.copyfile(demo_template / "app.sqlite3", tmp_path / "app.sqlite3")
    shutil.copytree(demo_template / "var", tmp_path / "var")
    app_environment(monkeypatch, tmp_path)
    from helpers.pages import forget_used_codes

    forget_used_codes()     # a fresh database has used no second-factor code yet
    return tmp_path


@pytest.fixture
def admin(portal):
    """An admin account "chief": its Actor and password."""
    from helpers.db import official

    password = "Adm1n-pass-word"
    return official(portal, "admin", "chief", password), password


# The security suite: `python -m pytest -m security` runs exactly these. Each test carries the
# `security` marker in its own file (`pytestmark` for whole files, `@pytest.mark.security` on
# single tests); this list says which ones must (a file may mark more), and
# tests/test_security_marker.py fails when one of them is not collected by `-m security`, or
# when an entry here names no test at all.
SECURITY_TESTS = ("test_security.py", "test_hostile_inputs.py", "test_exports.py",
                  "test_faults.py::test_a_failing_page_shows_a_friendly_message_and_logs",
                  "test_pages.py::test_official_pages_refuse_anonymous_visitors",
                  "test_pages.py::test_wrong_role_is_refused",
                  "test_accounts.py::test_lockout_by_wrong_passwords_from_one_address_spares_the_others",
                  "test_accounts.py::test_lockout_delay_grows_with_each_failure_up_to_the_longest",
                  "test_accounts.py::test_lockout_across_usernames_from_one_address_but_not_inside_the_bureau",
                  "test_accounts.py::test_lockout_inside_the_bureau_lasts_at_most_a_minute",
                  "test_accounts.py::test_lockout_unlock_clears_the_delay_and_is_audited",
                  "test_accounts.py::test_weak_passwords_refused_with_the_reason_wherever_set",
                  "test_lockout.py",
                  "test_accounts.py::test_unknown_user_gets_the_same_message_as_a_wrong_password",
                  "test_accounts.py::test_disabled_account_cannot_sign_in",
                  "test_accounts.py::test_passwords_never_reach_the_log_or_audit",
                  "test_complaint_pages.py::test_no_public_page_shows_the_complainants_name_or_phone",
                  "test_complaints.py::test_bad_photos_are_refused",
                  "test_complaints.py::test_bad_input_is_refused_and_nothing_written",
                  "test_complaints.py::test_officials_without_the_role_are_refused",
                  "test_complaints.py::test_public_statistics_never_carry_personal_data",
                  "test_rounds.py::test_crafted_vote_for_another_rounds_candidate",
                  "test_survey_pages.py::test_overview_shows_each_official_their_part",
                  "test_api.py::test_bad_parameters_get_a_json_error_naming_them",
                  "test_api.py::test_cases_never_carry_personal_data",
                  "test_api.py::test_each_client_is_limited_and_told_when_to_come_back",
                  "test_api.py::test_client_address_trusts_only_our_proxy",
                  "test_api.py::test_reversed_dates_unknown_paths_and_methods",
                  "test_official_sessions.py", "test_second_factor.py", "test_official_browser.py",
                  "test_api.py::test_the_index_never_builds_links_from_a_forged_host",
                  "test_db.py::test_runtime_files_are_readable_by_their_owner_only",
                  "test_complaints.py::test_phone_and_id_numbers_in_the_citizens_own_words_are_stored_masked",
                  "test_complaints.py::test_a_tiny_png_of_huge_dimensions_is_refused_from_its_header",
                  "test_complaints.py::test_photos_are_decoded_only_after_the_fields_and_the_limits",
                  "test_complaints.py::test_photo_decodes_at_once_are_bounded",
                  "test_uploads.py", "test_security_marker.py")


def security_key(nodeid: str) -> str:
    """"file.py::test_name" for a node id: the file is the part before the first "::" (a
    parametrised id may itself contain "/"), the test its name without the [parameters]."""
    path, _, rest = nodeid.partition("::")
    return f"{Path(path).name}::{rest.split('[')[0]}"


def is_security_test(nodeid: str) -> bool:
    key = security_key(nodeid)
    return key in SECURITY_TESTS or key.partition("::")[0] in SECURITY_TESTS


# The suite's standing budget (issue 15): the whole run, on the project's 2-core machine, in
# this many seconds. Printed at the end of every run beside the time taken (not a test: a
# loaded machine takes longer without anything being wrong); a change that pushes a quiet
# run over it makes its tests cheaper first.
SUITE_BUDGET_SECONDS = 300


_SUITE_STARTED: list[float] = []


def pytest_sessionstart(session):
    import time

    _SUITE_STARTED.append(time.monotonic())


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    import time

    if not _SUITE_STARTED or hasattr(config, "workerinput"):   # the controller prints it once
        return
    taken = time.monotonic() - _SUITE_STARTED[0]
    terminalreporter.write_line(f"suite: {taken:.0f} s (budget {SUITE_BUDGET_SECONDS} s on 2 cores; "
                                f"{_reference_loop_seconds():.2f} s for the reference loop on this machine)")


def _reference_loop_seconds() -> float:
    """How fast this machine runs Python: 5 million additions in a loop (best of three).
    The project's machines differ from one session to the next (0.17 s on the one where the
    suite took 580 s, 2026-12-01), and the suite's time with them; this says which kind of
    machine a time came from."""
    import time

    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best
