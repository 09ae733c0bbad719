import multiprocessing as mp
import threading

import pytest
from sqlalchemy import func, inspect, select, text

from portal.bootstrap import bootstrap
from portal.config import load_settings
from portal.db import Database, current_revision, head_revision, migration_lock, upgrade
from portal.accounts.rules import ROLES
from portal.registry.models import District, Jurisdiction

CORE_TABLES = {"jurisdictions", "districts", "businesses", "officials", "roles",
               "official_roles", "audit_log", "portal_meta"}


def test_bootstrap_creates_schema_roles_and_jurisdiction(portal):
    tables = set(inspect(portal.db.engine).get_table_names())
    assert CORE_TABLES <= tables
    assert current_revision(portal.db.engine) == head_revision()
    with portal.db.read() as session:
        roles = set(session.scalars(text("SELECT name FROM roles")))
        assert roles == set(ROLES)      # the migrations insert exactly the roles the code knows
        assert session.get(Jurisdiction, "430800").name == "张家界市"
        names = session.scalars(select(District.name).where(
            District.jurisdiction_adcode == "430800").order_by(District.adcode)).all()
        assert names == ["永定区", "武陵源区", "慈利县", "桑植县"]


def test_upgrade_twice_is_a_no_op(portal):
    upgrade(portal.db.engine)
    assert current_revision(portal.db.engine) == head_revision()


def test_switching_jurisdiction_adds_its_districts(settings):
    bootstrap(settings)
    jiaxing = bootstrap(settings.model_copy(update={"jurisdiction": "330400"}))
    assert jiaxing.profile.name == "嘉兴市"
    with jiaxing.db.read() as session:
        count = session.scalar(select(func.count()).select_from(District)
                               .where(District.jurisdiction_adcode == "330400"))
    assert count == 7


def test_sqlite_pragmas(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with db.read() as session:
        assert session.scalar(text("PRAGMA journal_mode")) == "wal"
        assert session.scalar(text("PRAGMA foreign_keys")) == 1


def test_sqlite_write_transactions_do_not_fail_as_locked(tmp_path):
    """Read-then-write transactions from many threads: with deferred BEGIN some would fail
    with 'database is locked'; BEGIN IMMEDIATE makes them queue instead."""
    db = Database(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with db.write() as session:
        session.execute(text("CREATE TABLE counter (n INTEGER)"))
        session.execute(text("INSERT INTO counter VALUES (0)"))
    errors = []

    def bump():
        try:
            for _ in range(20):
                with db.write() as session:
                    n = session.scalar(text("SELECT n FROM counter"))
                    session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read() as session:
        assert session.scalar(text("SELECT n FROM counter")) == 120


def _start(env: dict, queue) -> None:
    try:
        portal = bootstrap(load_settings(env))
        queue.put(("ok", current_revision(portal.db.engine)))
    except Exception as exc:  # noqa: BLE001
        queue.put(("error", repr(exc)))


def test_two_processes_starting_at_once_migrate_and_seed_once(empty_db_url, tmp_path):
    db_url = empty_db_url
    env = {"PORTAL_DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp_path / "var"),
           "PORTAL_DEMO": "1", "PORTAL_SECRET_KEY": "x" * 40}
    # Processes of their own, from a fork server (which imports this module, and with it the
    # portal, once; nothing of this process's is open in it: no connection, no thread), each
    # running the whole start-up.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    queue = ctx.Queue()
    procs = [ctx.Process(target=_start, args=(env, queue)) for _ in range(3)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert results == [("ok", head_revision())] * 3
    db = Database(db_url)
    with db.read() as session:
        seeds = session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'demo_seed'"))
        businesses = session.scalar(text("SELECT count(*) FROM businesses"))
    assert seeds == 1 and businesses == 600


def test_migration_lock_excludes_a_second_holder(db_url, tmp_path):
    db = Database(db_url)
    order = []

    def second():
        with migration_lock(db.engine, tmp_path):
            order.append("second")

    with migration_lock(db.engine, tmp_path):
        t = threading.Thread(target=second)
        t.start()
        t.join(timeout=1.0)
        assert t.is_alive(), "the second holder must wait for the first"
        order.append("first")
    t.join(timeout=30)
    assert order == ["first", "second"]


def test_migrations_match_the_models(portal):
    """A model change without its migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from portal.db import Base

    with portal.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # The full-text table and its PostgreSQL index are created by hand in migration 0003.
    diff = [d for d in diff if "sampling_fts" not in str(d) and "bigrams" not in str(d)]
    assert diff == []


@pytest.mark.security
def test_runtime_files_are_readable_by_their_owner_only(tmp_path):
    """A fresh start with the embedded defaults (SQLite and its WAL, the secret, the lock,
    the demo passwords), a backup, and a database left 0644 by an older start."""
    import os
    from pathlib import Path

    from portal.backup import backup
    from portal.demo.generator import create_demo_accounts

    umask = os.umask(0o022)                  # the usual umask: files 0644 unless made private
    try:
        var = tmp_path / "var"
        portal = bootstrap(load_settings({"PORTAL_VAR_DIR": str(var), "PORTAL_DEMO": "0"}))
        create_demo_accounts(portal.db, var)
        with portal.db.write() as session:
            session.execute(text("CREATE TABLE probe (x)"))
        backup(portal.db, tmp_path / "copies" / "portal.backup")
        made = [*var.iterdir(), *(tmp_path / "copies").iterdir()]
        modes = {p.name: oct(p.stat().st_mode & 0o777) for p in made}
        assert {"portal.sqlite3", "portal.sqlite3-wal", "secret_key", "demo_accounts.txt",
                "portal.backup"} <= set(modes), modes
        assert {name: mode for name, mode in modes.items() if mode != "0o600"} == {}
        old = tmp_path / "old.sqlite3"
        old.touch(mode=0o644)
        Path(f"{old}-wal").touch(mode=0o644)
        Database(f"sqlite:///{old}")
        assert [oct(p.stat().st_mode & 0o777) for p in (old, Path(f"{old}-wal"))] == ["0o600"] * 2
    finally:
        os.umask(umask)
