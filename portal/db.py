"""Engines, sessions and start-up migrations.

One engine per database URL per process. Reads use ordinary (deferred) transactions; writes
go through `Database.write()`, which on SQLite begins with BEGIN IMMEDIATE: a deferred
transaction that turns from reading into writing fails with "database is locked" whatever
the busy timeout, because SQLite cannot upgrade its lock while another writer waits.
"""
from __future__ import annotations

import functools
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number: the key of the PostgreSQL advisory lock that serialises start-ups.
MIGRATION_LOCK_KEY = 0x706F7274616C  # "portal"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event, not the driver, decide how transactions start.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    # 64 MB page cache instead of SQLite's 2 MB: bulk imports insert random (hash) keys into
    # large indexes, and searches on a million batches read many index pages.
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def _sqlite_begin(conn) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("portal_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


_CREATED: list[Engine] = []


def dispose_engines() -> None:
    """Close every pool this process opened and forget the engines (tests that drop their
    database call this, so no connection outlives it)."""
    make_engine.cache_clear()
    while _CREATED:
        _CREATED.pop().dispose()


@functools.lru_cache(maxsize=8)
def make_engine(url: str) -> Engine:
    """The process's engine for this URL (cached: one pool per database)."""
    engine = _new_engine(url)
    _CREATED.append(engine)
    return engine


PRIVATE = 0o600


def private_file(path: Path) -> Path:
    """Make `path` readable by its owner only: created empty with mode 0600 if missing (an
    empty file is a new SQLite database), tightened if it exists (an older start made it with
    the umask's 0644). SQLite gives its -wal and -shm files the mode of the database file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        for existing in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            try:
                if existing.stat().st_mode & 0o077:
                    existing.chmod(PRIVATE)
            except OSError:      # gone meanwhile, or another user's file: leave it as it is
                pass
    return path


def _new_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


class Database:
    """Sessions for one database: `read()` for queries, `write()` for commands."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(portal_write=True),
                                   expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        with self._write() as session, session.begin():
            yield session


@contextmanager
def migration_lock(engine: Engine, lock_dir: Path | None = None) -> Iterator[None]:
    """Serialise migrations and first-start seeding between processes starting at once.

    PostgreSQL: a session-level advisory lock. SQLite has no transactional DDL and no
    advisory locks, so a file lock beside the database file does the job.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()
        return
    from filelock import FileLock

    db_path = make_url(str(engine.url)).database or ""
    lock_path = Path(db_path + ".lock") if db_path and db_path != ":memory:" else \
        (lock_dir or Path.cwd()) / "portal-migrate.lock"
    with FileLock(str(lock_path), timeout=300, mode=PRIVATE):
        yield


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (call under migration_lock)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def bulk_insert(session: Session, table, rows: list[dict]) -> None:
    """Insert many rows with the driver's executemany, skipping SQLAlchemy's per-row parameter
    processing (which costs more than SQLite's own insert at 100,000 rows). Rows are dicts
    with the same keys, holding values the drivers take (str, int, float, bool, date, datetime).
    Runs on the session's connection, inside its transaction."""
    if rows:
        columns = list(rows[0])
        bulk_insert_values(session, table, columns, [[row[c] for c in columns] for row in rows])


def sqlite_temporal_converter():
    """SQLAlchemy stores SQLite dates and datetimes as ISO text; this does the same, each
    distinct value once (bulk data repeats the same few dates)."""
    from datetime import datetime

    as_text: dict = {}

    def convert(value):
        if value is None or isinstance(value, str):
            return value
        found = as_text.get(value)
        if found is None:
            found = as_text[value] = (value.strftime("%Y-%m-%d %H:%M:%S.%f")
                                      if isinstance(value, datetime) else value.isoformat())
        return found

    return convert


def bulk_insert_values(session: Session, table, columns: list[str], params: list[list]) -> None:
    """As bulk_insert, with each row already a list in `columns` order (modified in place)."""
    from sqlalchemy import Date, DateTime

    if not params:
        return
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        temporal = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, (Date, DateTime))]
        if temporal:
            convert = sqlite_temporal_converter()
            for row in params:
                for i in temporal:
                    row[i] = convert(row[i])
    marks = ", ".join("?" if sqlite else "%s" for _ in columns)
    cursor = conn.connection.dbapi_connection.cursor()  # same connection, same transaction
    try:
        cursor.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})",
                           params)
    finally:
        cursor.close()
