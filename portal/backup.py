"""Backups: `python -m portal backup PATH` and `python -m portal restore PATH`.

SQLite: the online backup API, a consistent copy while the portal keeps running.
PostgreSQL: pg_dump in its custom format and pg_restore (both must be on PATH, from the
same major version as the server); the README shows the commands to run by hand too.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from portal.db import Database, private_file


class BackupError(RuntimeError):
    """Says what went wrong and what to do, in Chinese (shown by the command line)."""


def _pg_url(url) -> str:
    """A libpq URL for pg_dump/pg_restore: no SQLAlchemy driver name; options (the schema
    search path used by tests) kept."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(db: Database, dest: Path) -> Path:
    url = make_url(db.url)
    # A backup holds everything the database does: owner-readable, as the database is.
    dest = private_file(Path(dest))
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(dest)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return dest
    if not shutil.which("pg_dump"):
        raise BackupError("找不到 pg_dump：请安装与数据库同版本的 PostgreSQL 客户端工具。")
    with db.engine.connect() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    # The portal's own schema only (a deployment may share the database with others).
    result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--schema={schema}",
                             "--file", str(dest), _pg_url(url)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump 失败：{result.stderr.strip()[:500]}")
    return dest


def restore(db: Database, source: Path, force: bool = False) -> None:
    """Into an empty database (or over an existing one with force)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}")
    url = make_url(db.url)
    tables = inspect(db.engine).get_table_names()
    if tables and not force:
        raise BackupError("目标数据库不是空的（已有数据表）。确认要覆盖时请加 --force。")
    if url.get_backend_name() == "sqlite":
        db.engine.dispose()
        source_conn = sqlite3.connect(source)
        target = sqlite3.connect(url.database)
        try:
            with target:
                source_conn.backup(target)
        finally:
            target.close()
            source_conn.close()
        return
    if not shutil.which("pg_restore"):
        raise BackupError("找不到 pg_restore：请安装与数据库同版本的 PostgreSQL 客户端工具。")
    args = ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _pg_url(url)]
    if force:
        args += ["--clean", "--if-exists"]
    result = subprocess.run(args + [str(source)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败：{result.stderr.strip()[:500]}")
