"""Claiming rows of a send queue (deliveries, handlers' digests) for one worker: due rows,
or rows whose worker's lease ran out, become SENDING under a new lease in one transaction.
Several workers at once are safe: SKIP LOCKED on PostgreSQL, the write lock on SQLite."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from portal.notices.models import QUEUED, SENDING


def claim_due(db, model, now: datetime, lease_seconds: int, limit: int) -> list[int]:
    """The ids claimed (at most `limit`, oldest first). `model` has id, status,
    next_attempt_at, lease_until and attempts."""
    due = or_((model.status == QUEUED) & (model.next_attempt_at <= now),
              (model.status == SENDING) & (model.lease_until < now))
    with db.read() as session:      # every pass of a worker: the write lock only when some are due
        if session.scalar(select(model.id).where(due).limit(1)) is None:
            return []
    with db.write() as session:
        query = select(model.id).where(due).order_by(model.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if ids:
            session.execute(update(model).where(model.id.in_(ids)).values(
                status=SENDING, lease_until=now + timedelta(seconds=lease_seconds),
                attempts=model.attempts + 1))
    return ids
