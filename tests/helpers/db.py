"""The database a test works on, officials in it, and counting its rows."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Select, func, select

from portal.accounts import actions
from portal.accounts.rules import Actor, cli_actor
from portal.db import Database


def app_db(app_env: Path) -> Database:
    """The database of a page test's portal (the app_env fixture's folder)."""
    return Database(f"sqlite:///{app_env / 'app.sqlite3'}")


def database(where) -> Database:
    """A Portal (bootstrap's), a Database, or an app_env folder."""
    if isinstance(where, Path):
        return app_db(where)
    return getattr(where, "db", where)


def official(where, role: str, username: str | None = None,
             password: str | None = None) -> Actor:
    """An official account with one role (created as the CLI would), and its Actor; the
    password defaults to "<Role>-pass-word"."""
    with database(where).write() as session:
        account = actions.create_official(session, cli_actor("test"), {
            "username": username or f"{role}1", "display_name": f"测试{role}", "roles": [role],
            "password": password or f"{role.title()}-pass-word"})
        return actions.actor_for(account)


def count_rows(where, what, *conditions) -> int:
    """Rows of a model (with optional WHERE conditions), or of a whole select()."""
    query = what if isinstance(what, Select) else select(what).where(*conditions)
    with database(where).read() as session:
        return session.scalar(select(func.count()).select_from(query.subquery()))
