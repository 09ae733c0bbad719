"""Fan-out: each event becomes one delivery per recipient, in chunks of follows, each chunk
one INSERT ... SELECT in a short transaction of its own (never in the event's transaction:
an import must not hold SQLite's write lock while 100,000 rows are written).

An event's subjects (what it is about: a business, a district, a category, every failed
batch, a complaint) are worked out once, at its first chunk; then each chunk joins the
follows whose ids lie in (fan_cursor, fan_cursor + chunk] with those subjects. The unique
(event, contact) pair makes a repeated chunk (a worker that died before its commit) and a
contact following both a business and its district harmless: one delivery each."""
from __future__ import annotations

from sqlalchemy import case, func, insert, literal, select, update
from sqlalchemy.orm import Session

from portal.notices import voters
from portal.notices.models import (ACTIVE, ALL_FAILED, BUSINESS, CATEGORY, COMPLAINT, COMPLAINT_STATUS, DISTRICT,
                                   HELD, QUEUED, SAMPLING_FAILED, Delivery, Follow, NoticeEvent, NoticeEventSubject)
from portal.sampling.models import FAILED, SamplingBatch
from portal.timeutil import utcnow

CHUNK = 20_000


def subjects(session: Session, event: NoticeEvent) -> set[tuple[str, str]]:
    if event.kind == SAMPLING_FAILED:
        rows = session.execute(select(SamplingBatch.sampled_business_id, SamplingBatch.district_adcode,
                                      SamplingBatch.category).distinct().where(
            SamplingBatch.import_id == event.ref_id, SamplingBatch.result == FAILED)).all()
        found: set[tuple[str, str]] = set()
        for business_id, adcode, category in rows:
            if business_id:
                found.add((BUSINESS, str(business_id)))
            if adcode:
                found.add((DISTRICT, adcode))
            if category:
                found.add((CATEGORY, category[:64]))
        if rows:
            found.add((ALL_FAILED, "*"))
        return found
    if event.kind == COMPLAINT_STATUS:
        return {(COMPLAINT, str(event.ref_id))}
    if event.kind in voters.KINDS:
        return voters.subjects(session, event.kind, event.ref_id)
    return set()


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


def _next_event(session: Session) -> NoticeEvent | None:
    query = select(NoticeEvent).where(NoticeEvent.fanned_out_at.is_(None)).order_by(NoticeEvent.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def fan_out_chunk(session: Session, chunk: int = CHUNK) -> tuple[int, bool] | None:
    """One chunk of the oldest event not yet fanned out, in the caller's (short) transaction:
    (event id, whether that was its last chunk), or None when no event waits."""
    event = _next_event(session)
    if event is None:
        return None
    now = utcnow()
    if event.fan_upto is None:
        found = subjects(session, event)
        if found:
            session.execute(insert(NoticeEventSubject.__table__),
                            [{"event_id": event.id, "topic": t, "subject": s} for t, s in sorted(found)])
        event.fan_upto = session.scalar(select(func.max(Follow.id))) or 0 if found else 0
    low, high = event.fan_cursor, min(event.fan_cursor + chunk, event.fan_upto)
    if high > low:
        follows, wanted = Follow.__table__, NoticeEventSubject.__table__
        # Held for the daily digest when every follow that brings the event chose 每日汇总;
        # one 即时 follow among them sends it at once.
        status = case((func.min(case((follows.c.digest, 1), else_=0)) == 1, literal(HELD)), else_=literal(QUEUED))
        recipients = (select(literal(event.id), follows.c.contact_id, status, literal(0),
                             literal(now), literal(now))
                      .select_from(follows.join(wanted, (wanted.c.topic == follows.c.topic)
                                                & (wanted.c.subject == follows.c.subject)))
                      .where(wanted.c.event_id == event.id, follows.c.status == ACTIVE,
                             follows.c.id > low, follows.c.id <= high)
                      .group_by(follows.c.contact_id))
        table = Delivery.__table__
        statement = _insert(session)(table).from_select(
            ["event_id", "contact_id", "status", "attempts", "next_attempt_at", "created_at"], recipients)
        session.execute(statement.on_conflict_do_nothing(
            index_elements=[table.c.contact_id, table.c.event_id]))
    event.fan_cursor = high
    if high >= event.fan_upto:
        event.fanned_out_at = now
    session.flush()
    return event.id, event.fanned_out_at is not None


def fan_out(db, chunk: int = CHUNK) -> int:
    """Every waiting event, chunk by chunk, each chunk its own transaction. The number of
    deliveries of the events finished (psycopg reports no rowcount for INSERT ... SELECT)."""
    finished = []
    while True:
        with db.write() as session:
            done = fan_out_chunk(session, chunk)
        if done is None:
            break
        if done[1]:
            finished.append(done[0])
    if not finished:
        return 0
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Delivery).where(Delivery.event_id.in_(finished)))


def one_per_follower(db, event_id: int, limit: int | None = None) -> int:
    """The baseline the benchmark compares with: the followers read into Python, then one
    INSERT per follower (at most `limit` of them), in one transaction."""
    with db.write() as session:
        event = session.get(NoticeEvent, event_id)
        contacts = set()
        for topic, subject in subjects(session, event):
            contacts.update(session.scalars(select(Follow.contact_id).where(
                Follow.topic == topic, Follow.subject == subject, Follow.status == ACTIVE)))
        now = utcnow()
        chosen = sorted(contacts)[:limit]
        for contact_id in chosen:
            session.execute(insert(Delivery.__table__).values(
                event_id=event_id, contact_id=contact_id, status=QUEUED, attempts=0,
                next_attempt_at=now, created_at=now))
        session.execute(update(NoticeEvent).where(NoticeEvent.id == event_id).values(fanned_out_at=now))
        return len(chosen)
