"""The worker: queue the complaints' follow-up questionnaires that are due
(portal.complaints.follow_up), fan events out (fanout.py), then claim due messages, send
them, mark each sent.

- Claim: in one short write transaction, take up to `batch` deliveries that are due (queued
  and past next_attempt_at, or claimed by a worker whose lease ran out) and lease them to
  this worker. On PostgreSQL the rows are selected FOR UPDATE SKIP LOCKED, so workers side
  by side take different messages; on SQLite the write transaction (BEGIN IMMEDIATE)
  serialises the claims.
- Send: each message carries a Message-ID made from its delivery's id, the same at every
  attempt, so a receiver (or a gateway) can drop a repeat after a crash. Mails go over one
  SMTP connection; messages to mobile numbers go to the SMS gateway as templates (sms.py,
  its message_id made the same way; the gateway's 4xx counts as a bounce, 5xx is retried).
- Mark: accepted messages are marked sent in small groups (MARK_EVERY, or MARK_SECONDS after
  the first), each group one transaction; a worker killed before a group's commit leaves at
  most that group to be sent again (with the same Message-IDs) when its lease ends.
- Failure: 4xx or no connection: retried with backoff (rules.BACKOFF_SECONDS), up to
  MAX_ATTEMPTS; 5xx for the recipient: a bounce, given up, and the contact erased after
  MAX_BOUNCES in a row (an accepted message starts the count again).
- Digests (digests.py): at the digest hour the held news of followers who chose 每日汇总
  becomes one digest delivery per contact, sent like any other; handlers get their morning
  digest. Unconfirmed follows past rules.UNCONFIRMED_DAYS are erased.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.complaints import follow_up
from portal.notices import digests, fanout, links, sms
from portal.notices.follows import erase_contact, expire_unconfirmed
from portal.notices.leases import claim_due
from portal.notices.mailer import PermanentFailure, SmtpTransport, TemporaryFailure, sender_domain
from portal.notices.messages import render
from portal.notices.models import (CODE_RECOVERY, COMPLAINT_FILED, DROPPED, EMAIL, FAILED, QUEUED, SENDING, SENT, Delivery,
                                   NoticeContact, NoticeEvent, SMS)
from portal.notices.rules import LEASE_SECONDS, MAX_ATTEMPTS, MAX_BOUNCES, backoff
from portal.personal import decrypt
from portal.timeutil import utcnow

log = logging.getLogger(__name__)
BATCH = 200
# Accepted messages are marked sent together, at most this many or this long after the
# first: one commit (a disk flush on PostgreSQL) per group instead of per message. A worker
# killed in between sends those again after its lease, under the same Message-IDs.
MARK_EVERY = 20
MARK_SECONDS = 1.0


@dataclass
class Stats:
    fanned_out: int = 0
    follow_ups: int = 0
    digests: int = 0            # followers' daily digests made
    handler_digests: int = 0    # handlers' morning digests sent
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)


def message_id(delivery_id: int, event_id: int, domain: str) -> str:
    return f"<notice.{event_id}.{delivery_id}@{domain}>"


def claim(db, batch: int = BATCH, lease_seconds: int = LEASE_SECONDS, now=None) -> list[int]:
    return claim_due(db, Delivery, now or utcnow(), lease_seconds, batch)


def compose(session: Session, delivery: Delivery, settings) -> EmailMessage | None:
    event = session.get(NoticeEvent, delivery.event_id)
    contact = session.get(NoticeContact, delivery.contact_id)
    if event is None or contact is None or contact.channel != EMAIL:
        return None
    found = render(session, event, contact, settings.public_url, settings.secret_key)
    if found is None:
        return None
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = decrypt(settings.secret_key, contact.address_enc)
    message["Subject"] = " ".join(found.subject.split())
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id(delivery.id, event.id, sender_domain(settings.mail_from))
    message["Auto-Submitted"] = "auto-generated"
    stop = links.url(settings.public_url, settings.secret_key, links.UNSUBSCRIBE, contact.id, contact.link_key)
    message["List-Unsubscribe"] = f"<{stop}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(found.body)
    return message


def _finish(db, delivery_id: int, **values) -> None:
    """Record how an attempt ended other than sent (only while this worker's claim stands)."""
    with db.write() as session:
        session.execute(update(Delivery).where(Delivery.id == delivery_id, Delivery.status == SENDING)
                        .values(lease_until=None, **values))


def _mark_sent(db, accepted: list[tuple[int, int | None]]) -> None:
    """Mark the messages the server accepted, in one transaction (then forget them)."""
    if not accepted:
        return
    now = utcnow()
    with db.write() as session:
        session.execute(update(Delivery).where(Delivery.id.in_([d for d, _ in accepted]),
                                               Delivery.status == SENDING)
                        .values(status=SENT, sent_at=now, lease_until=None))
        # Bounces count in a row: an accepted message starts the count again.
        session.execute(update(NoticeContact).where(
            NoticeContact.bounces > 0,
            NoticeContact.id.in_(select(Delivery.contact_id).where(Delivery.id.in_([d for d, _ in accepted]))))
            .values(bounces=0).execution_options(synchronize_session=False))
        secrets_sent = [e for _, e in accepted if e is not None]
        if secrets_sent:
            session.execute(update(NoticeEvent).where(NoticeEvent.id.in_(secrets_sent)).values(secret=None))
    accepted.clear()


def _bounce(db, delivery_id: int) -> None:
    with db.write() as session:
        contact_id = session.scalar(select(Delivery.contact_id).where(Delivery.id == delivery_id))
        contact = session.get(NoticeContact, contact_id) if contact_id else None
        if contact is not None:
            contact.bounces += 1
            if contact.bounces >= MAX_BOUNCES:
                erase_contact(session, contact.id)     # the address, its follows and mail


def _compose_any(session: Session, delivery: Delivery, settings) -> EmailMessage | sms.SmsMessage | None:
    """The message of one delivery in its contact's channel (a mail, or an SMS template)."""
    contact = session.get(NoticeContact, delivery.contact_id)
    if contact is not None and contact.channel == SMS:
        return sms.compose(session, delivery, settings)
    return compose(session, delivery, settings)


def _mail_transport(settings, transport_factory):
    if not settings.smtp_url:
        raise TemporaryFailure("PORTAL_SMTP_URL is not set: there is no mail server to send through")
    return transport_factory(settings.smtp_url)


@dataclass(frozen=True)
class _Unbuildable:
    reason: str


def send_claimed(db, settings, ids: list[int], stats: Stats, transport_factory=SmtpTransport) -> None:
    """Compose the claimed messages, drop those with nothing left to say, then send the
    mails over one SMTP connection and the SMS through the gateway."""
    if not ids:
        return
    with db.read() as session:      # compose the whole claim in one session (shared reads)
        composed = []
        for delivery in session.scalars(select(Delivery).where(Delivery.id.in_(ids)).order_by(Delivery.id)):
            event = session.get(NoticeEvent, delivery.event_id)
            secret_event = event.id if event is not None and event.kind in (COMPLAINT_FILED, CODE_RECOVERY) \
                else None
            try:
                message = _compose_any(session, delivery, settings)
            except (ValueError, TypeError, LookupError) as exc:
                # One message that cannot be built (an address a mail library refuses, say)
                # must not hold up the claim it came in: it fails alone, as nobody's bounce.
                log.exception("notice delivery %s could not be composed", delivery.id)
                message = _Unbuildable(f"{type(exc).__name__}: could not compose")
            composed.append((delivery.id, delivery.attempts, secret_event, message))
    for delivery_id, _, _, message in composed:
        if message is None:
            _finish(db, delivery_id, status=DROPPED)
            stats.dropped += 1
        elif isinstance(message, _Unbuildable):
            _finish(db, delivery_id, status=FAILED, last_error=message.reason)
            stats.failed += 1
    mails = [c for c in composed if isinstance(c[3], EmailMessage)]
    texts = [c for c in composed if isinstance(c[3], sms.SmsMessage)]
    if mails:
        _send_over(db, lambda: _mail_transport(settings, transport_factory), mails, stats)
    if texts:
        _send_over(db, lambda: sms.transport_for(settings), texts, stats)


def _send_over(db, open_transport, composed: list, stats: Stats) -> None:
    """Send composed messages through one transport, marking them as they are accepted."""
    try:
        transport = open_transport().__enter__()
    except TemporaryFailure as exc:
        stats.errors.append(str(exc))
        for delivery_id, attempts, _, _ in composed:
            _retry(db, delivery_id, str(exc), stats, attempts)
        return
    accepted: list[tuple[int, int | None]] = []      # sent, not yet marked
    marked = time.monotonic()
    try:
        for delivery_id, attempts, secret_event, message in composed:
            try:
                transport.send(message)
            except PermanentFailure as exc:
                _finish(db, delivery_id, status=FAILED, last_error=str(exc)[:300])
                _bounce(db, delivery_id)
                stats.failed += 1
                continue
            except TemporaryFailure as exc:
                _retry(db, delivery_id, str(exc), stats, attempts)
                continue
            except (ValueError, UnicodeError) as exc:     # refused by the library, not the server
                log.warning("notice delivery %s could not be sent: %s", delivery_id, type(exc).__name__)
                _finish(db, delivery_id, status=FAILED, last_error=f"{type(exc).__name__}: not sendable")
                stats.failed += 1
                continue
            accepted.append((delivery_id, secret_event))
            stats.sent += 1
            if len(accepted) >= MARK_EVERY or time.monotonic() - marked > MARK_SECONDS:
                _mark_sent(db, accepted)
                marked = time.monotonic()
    finally:
        _mark_sent(db, accepted)
        transport.__exit__(None, None, None)


def _retry(db, delivery_id: int, error: str, stats: Stats, attempts: int | None = None) -> None:
    if attempts is None:
        with db.read() as session:
            attempts = session.scalar(select(Delivery.attempts).where(Delivery.id == delivery_id)) or 0
    if attempts >= MAX_ATTEMPTS:
        _finish(db, delivery_id, status=FAILED, last_error=error[:300])
        stats.failed += 1
        return
    _finish(db, delivery_id, status=QUEUED, last_error=error[:300],
            next_attempt_at=utcnow() + timedelta(seconds=backoff(attempts)))
    stats.retried += 1


def run_once(db, settings, *, batch: int = BATCH, lease_seconds: int = LEASE_SECONDS,
             transport_factory=SmtpTransport, now=None) -> Stats:
    """Fan out every waiting event, make the digests that are due, then send every due
    message; return when none is left. `now` (naive UTC) is the worker's clock (tests set
    it); unset, each step reads the clock afresh (fan-out stamps its deliveries as it goes)."""
    if not settings.smtp_url and not sms.available(settings):
        raise RuntimeError("neither PORTAL_SMTP_URL nor an SMS gateway is set: nothing to send through")
    queued = 0
    with db.read() as session:          # closed cases whose questionnaire is due (one each);
        due = bool(follow_up.due(session, limit=1))     # the write lock only when some are
    if due:
        with db.write() as session:
            queued = follow_up.schedule(session)
    stats = Stats(fanned_out=fanout.fan_out(db), follow_ups=queued)
    moment = now or utcnow()        # the digests' clock, read after fan-out
    expire_unconfirmed(db, moment)
    stats.digests = digests.make_follower_digests(db, moment, settings.digest_hour)
    if settings.smtp_url:           # the handlers' digest goes by mail only
        digests.make_handler_digests(db, moment, settings.digest_hour)
        stats.handler_digests = digests.send_handler_digests(db, settings, moment, lease_seconds=lease_seconds,
                                                             transport_factory=transport_factory).sent
    while True:
        ids = claim(db, batch, lease_seconds, now)
        if not ids:
            return stats
        send_claimed(db, settings, ids, stats, transport_factory)
        if stats.retried and not stats.sent:
            return stats            # the server is away: the next run tries again


def worker(db, settings, *, idle_seconds: float = 5.0, lease_seconds: int = LEASE_SECONDS,
           batch: int = BATCH, stop=None) -> None:
    """Run for ever (until `stop()` is true): run_once, then wait while nothing is due."""
    while stop is None or not stop():
        try:
            stats = run_once(db, settings, batch=batch, lease_seconds=lease_seconds)
        except Exception:       # noqa: BLE001 - a worker logs and keeps going
            log.exception("notice worker pass failed")
            stats = Stats()
        if stats.sent or stats.fanned_out:
            log.info("notices: %s fanned out, %s sent, %s retried, %s failed",
                     stats.fanned_out, stats.sent, stats.retried, stats.failed)
        time.sleep(idle_seconds)
