"""Limits enforced by the database: a counter row per (scope, key, period), incremented by a
guarded upsert, so that processes submitting at once can never pass a limit together.
Runs inside the caller's transaction: a submission that fails later also gives its unit back."""
from __future__ import annotations

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base


class RateCounter(Base):
    """Per-day (Asia/Shanghai) or per-window counters, incremented with a guarded upsert so
    that concurrent submissions can never pass a limit."""
    __tablename__ = "rate_counters"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)   # e.g. complaint:phone
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)  # 2026-11-22 / 2026-11-22T17
    uses: Mapped[int] = mapped_column(Integer, default=0)


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def increment(session: Session, scope: str, key_hash: str, period: str) -> int:
    """Count one use without a limit; the new count (unique to this transaction)."""
    table = RateCounter.__table__
    statement = _insert(session)(table).values(scope=scope, key_hash=key_hash, period=period, uses=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.key_hash, table.c.period],
        set_={"uses": table.c.uses + 1})
    return session.execute(statement.returning(table.c.uses)).scalar_one()


def take(session: Session, scope: str, key_hash: str, period: str, limit: int) -> int:
    """Count one use: the new count (truthy), or 0 (and nothing counted) when `limit` uses
    are already counted. The row stays locked until the transaction ends, so a caller may
    take first, then check what it guards, and roll a savepoint back to give the use back."""
    table = RateCounter.__table__
    statement = _insert(session)(table).values(scope=scope, key_hash=key_hash, period=period, uses=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.key_hash, table.c.period],
        set_={"uses": table.c.uses + 1},
        where=table.c.uses < limit)
    if limit < 1:
        return 0
    # RETURNING says whether a row was written; rowcount is not reliable across drivers.
    row = session.execute(statement.returning(table.c.uses)).first()
    return 0 if row is None else row[0]


def used(session: Session, scope: str, key_hash: str, period: str) -> int:
    return session.scalar(select(RateCounter.uses).where(
        RateCounter.scope == scope, RateCounter.key_hash == key_hash,
        RateCounter.period == period)) or 0
