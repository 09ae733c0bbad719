"""Writing events into the outbox, in the caller's transaction (the transaction of the thing
that happened): a write that rolls back leaves no event, one that commits leaves exactly one.
Nothing here sends; the worker (delivery.py) fans events out and sends, later, outside it."""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.notices.models import (COMPLAINT, COMPLAINT_STATUS, SAMPLING_FAILED, Delivery, Follow, NoticeEvent)
from portal.personal import encrypt
from portal.timeutil import utcnow


def record(session: Session, kind: str, ref_id: int, detail: str | None = None) -> int:
    """An event for the followers of what it is about (fanned out by the worker)."""
    event = NoticeEvent(kind=kind, ref_id=ref_id, detail=detail, fan_cursor=0)
    session.add(event)
    session.flush()
    return event.id


def sampling_failed(session: Session, import_id: int) -> int:
    """A sampling import published failed batches: their businesses', districts' and
    categories' followers, and those who follow every failed batch, are told."""
    return record(session, SAMPLING_FAILED, import_id)


def complaint_status(session: Session, complaint_id: int, status: str) -> int | None:
    """A public step in a case (accepted, refused, information requested, replied, closed):
    an event only when the complainant asked at filing to be told."""
    followed = session.scalar(select(Follow.id).where(Follow.topic == COMPLAINT,
                                                      Follow.subject == str(complaint_id)).limit(1))
    return record(session, COMPLAINT_STATUS, complaint_id, status) if followed else None


def direct(session: Session, kind: str, ref_id: int, contact_id: int, *,
           secret_key: str | None = None, secret: str | None = None) -> int:
    """An event for one contact (a confirmation link, a complaint's code): its one delivery
    is written here, so there is nothing to fan out. `secret` (a tracking code) is stored
    encrypted and erased once the message is sent."""
    now = utcnow()
    event = NoticeEvent(kind=kind, ref_id=ref_id, fan_cursor=0, fanned_out_at=now,
                        secret=encrypt(secret_key, secret) if secret and secret_key else None)
    session.add(event)
    session.flush()
    session.execute(insert(Delivery.__table__).values(
        event_id=event.id, contact_id=contact_id, status="queued", attempts=0,
        next_attempt_at=now, created_at=now))
    return event.id
