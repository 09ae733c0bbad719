"""Backups: back up a portal with demo data, restore into an empty database, find everything;
refuse to overwrite a database that has tables unless told to. SQLite and PostgreSQL."""
import pytest
from sqlalchemy import func, inspect, select, text

from portal.backup import BackupError, backup, restore
from portal.db import Database


@pytest.fixture(scope="session")
def restore_database():
    """A second database on the test server, made once per test process (DROP DATABASE waits
    for a checkpoint of the whole server: seconds on a busy one)."""
    import uuid

    from sqlalchemy import create_engine

    from conftest import PG_URL

    if not PG_URL:
        pytest.skip("PORTAL_TEST_DATABASE_URL is not set")
    name = f"restored_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as conn:   # FORCE: a restored copy's pool may still be open
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def second_pg_url(portal, restore_database):
    """The portal's URL in the second database, with the same search path: the dump recreates
    the portal's schema there, and it is dropped again afterwards."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from portal.db import dispose_engines

    url = make_url(portal.db.url).set(database=restore_database).render_as_string(hide_password=False)
    yield url
    dispose_engines()
    cleaner = create_engine(url, isolation_level="AUTOCOMMIT")
    with cleaner.connect() as conn:
        schema = conn.scalar(text("SELECT current_schema()"))
        if schema and schema != "public":
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    cleaner.dispose()


def _counts(db: Database) -> dict[str, int]:
    tables = [t for t in inspect(db.engine).get_table_names() if not t.startswith("sampling_fts")]
    with db.read() as session:
        return {t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}


def test_backup_and_restore_into_an_empty_database(portal, tmp_path, request):
    from portal.demo import generator

    generator.generate(portal.db, portal.profile, "small", counts={"businesses": 200,
                       "sampling_batches": 300, "complaints": 50, "votes": 200, "survey_responses": 100},
                       secret_key=portal.settings.secret_key)
    before = _counts(portal.db)
    assert before["complaints"] == 50 and before["survey_responses"] == 100
    path = backup(portal.db, tmp_path / "portal.backup")
    if portal.db.engine.dialect.name == "sqlite":
        empty = Database(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    else:
        empty = Database(request.getfixturevalue("second_pg_url"))
    restore(empty, path)
    assert _counts(empty) == before
    with empty.read() as session:
        from portal.complaints.models import Complaint
        assert session.scalar(select(func.count()).select_from(Complaint)) == 50
    with pytest.raises(BackupError) as exc:
        restore(empty, path)
    assert "不是空的" in str(exc.value)


def test_cli_backup_reports_a_missing_file(tmp_path, monkeypatch, capsys):
    from portal.cli import main

    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    assert main(["restore", str(tmp_path / "missing.backup")]) == 2
    assert "找不到备份文件" in capsys.readouterr().err
