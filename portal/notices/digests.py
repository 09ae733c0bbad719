"""The day's digests, made by the notice worker (delivery.run_once) at the digest hour
(PORTAL_DIGEST_HOUR, Beijing time):

- Followers who chose 每日汇总 for a follow: fan-out leaves their deliveries HELD (never
  claimed). Day D's digest collects every delivery held before D at the digest hour (so
  the news of one digest hour to the next) into ONE mail per contact: one DAILY_DIGEST event
  a day (a partial unique index keeps it one however many workers make it) and one ordinary
  delivery of it per contact (the unique (contact, event) pair keeps that one). The listed
  deliveries become DIGESTED, pointing at the event. The digest is then sent by the same
  claim / send / mark as every other message: the same lease, retries and stable Message-ID,
  so a worker killed mid-digest and restarted sends each digest once (a repeat only under
  the same Message-ID, as for any message).
- Handlers: each working-day morning (portal.workdays' calendar: no mail on weekends and
  holidays, one on a make-up workday) every active official with the handler role and a work
  address gets one mail of the open cases due within two working days or overdue, read from
  the handler queue itself (complaints.handling.queue). One HandlerDigest row per official
  per day (unique), claimed with a lease like a delivery. Tracking numbers, kinds and due
  dates only, and a link to the workbench: never a complainant's name, phone or words.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import exc, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import Official, OfficialRole
from portal.complaints.handling import DUE_KIND_LABELS, QueueFilter, QueueRow, queue
from portal.complaints.models import KIND_LABELS
from portal.notices.fanout import _insert      # the dialect's INSERT ... ON CONFLICT
from portal.notices.leases import claim_due
from portal.notices.mailer import PermanentFailure, SmtpTransport, TemporaryFailure, sender_domain
from portal.notices.models import (DAILY_DIGEST, DIGESTED, DROPPED, FAILED, HELD, QUEUED, SENDING, SENT, Delivery,
                                   HandlerDigest, NoticeContact, NoticeEvent)
from portal.notices.rules import HANDLER_DUE_WITHIN, LEASE_SECONDS, MAX_ATTEMPTS, backoff
from portal.timeutil import cn_date, local_midnight_utc, to_local, utcnow
from portal.workdays import load_calendar

CHUNK = 2_000           # contacts whose digest is made in one short write transaction
MOST_ITEMS = 30         # news listed in one digest mail; the rest as a count
MOST_CASES = 100        # cases listed in one handler digest; the rest as a count
QUEUE_READ = 2_000      # open cases read from the queue (most urgent first)
WORKBENCH = "complaint_queue"


# --- when ---------------------------------------------------------------------------------


def digest_day(now: datetime, hour: int) -> date:
    """The latest day whose digest hour has come: today from that hour on, else yesterday."""
    local = to_local(now)
    return local.date() if local.hour >= hour else local.date() - timedelta(days=1)


def cutoff(day: date, hour: int) -> datetime:
    """The naive-UTC moment of `day`'s digest hour: news held before it is in that digest."""
    return local_midnight_utc(day) + timedelta(hours=hour)


# --- followers' daily digest --------------------------------------------------------------


def _day_event(session: Session, day: date, now: datetime) -> int:
    """The one DAILY_DIGEST event of `day`, made by whichever worker comes first."""
    found = session.scalar(select(NoticeEvent.id).where(NoticeEvent.kind == DAILY_DIGEST,
                                                        NoticeEvent.detail == day.isoformat()))
    if found is not None:
        return found
    try:
        with session.begin_nested():
            event = NoticeEvent(kind=DAILY_DIGEST, ref_id=0, detail=day.isoformat(), fan_cursor=0,
                                fan_upto=0, fanned_out_at=now, created_at=now)
            session.add(event)
            session.flush()
            return event.id
    except exc.IntegrityError:      # another worker made it meanwhile (its commit is visible now)
        return session.scalar(select(NoticeEvent.id).where(NoticeEvent.kind == DAILY_DIGEST,
                                                           NoticeEvent.detail == day.isoformat()))


def make_follower_digests(db, now: datetime, hour: int, chunk: int = CHUNK) -> int:
    """Turn the deliveries held before the latest digest hour into one digest delivery per
    contact; the number of contacts given a digest. Safe to repeat and to run side by side."""
    day = digest_day(now, hour)
    before = cutoff(day, hour)
    held = (Delivery.status == HELD) & (Delivery.created_at < before)
    with db.read() as session:      # the write lock only when some news waits
        if session.scalar(select(Delivery.id).where(held).limit(1)) is None:
            return 0
    with db.write() as session:
        event_id = _day_event(session, day, now)
    made, after = 0, 0
    while True:
        with db.write() as session:
            contacts = list(session.scalars(select(Delivery.contact_id).distinct()
                                            .where(held, Delivery.contact_id > after)
                                            .order_by(Delivery.contact_id).limit(chunk)))
            if not contacts:
                return made
            after = contacts[-1]
            table = Delivery.__table__
            inserted = session.execute(_insert(session)(table).values([
                {"event_id": event_id, "contact_id": c, "status": QUEUED, "attempts": 0,
                 "next_attempt_at": now, "created_at": now} for c in contacts])
                .on_conflict_do_nothing(index_elements=[table.c.contact_id, table.c.event_id])
                .returning(table.c.id))
            made += len(inserted.all())
            # Only into a digest not yet claimed: news that came in late for a digest already
            # on its way stays held for the next day's.
            unsent = select(Delivery.contact_id).where(Delivery.event_id == event_id, Delivery.status == QUEUED,
                                                      Delivery.contact_id.in_(contacts))
            session.execute(update(Delivery).where(held, Delivery.contact_id.in_(unsent))
                            .values(status=DIGESTED, digest_event_id=event_id)
                            .execution_options(synchronize_session=False))


def _without_greeting(body: str) -> str:
    return body.removeprefix("您好：\n\n").strip()


def render_digest(session: Session, event: NoticeEvent, contact: NoticeContact, public_url: str,
                  secret_key: str):
    """The day's digest for one contact: each held message's title and text, in order, or
    None when none is left to say (their follows are gone)."""
    from portal.notices.messages import RENDER, Message

    items = session.scalars(select(NoticeEvent).join(Delivery, Delivery.event_id == NoticeEvent.id)
                            .where(Delivery.contact_id == contact.id, Delivery.digest_event_id == event.id,
                                   NoticeEvent.kind != DAILY_DIGEST).order_by(NoticeEvent.id))
    found = []
    for item in items:
        build = RENDER.get(item.kind)
        message = build(session, item, contact, public_url, secret_key) if build else None
        if message is not None:
            found.append(message)
    if not found:
        return None
    day = cn_date(date.fromisoformat(event.detail))
    parts = [f"{n}. {m.subject}\n\n{_without_greeting(m.body)}" for n, m in enumerate(found[:MOST_ITEMS], 1)]
    more = f"\n\n另有 {len(found) - MOST_ITEMS} 条，请到网站查看。" if len(found) > MOST_ITEMS else ""
    return Message(f"每日汇总（{day}）：您关注的内容有 {len(found)} 条新消息",
                   f"您好：\n\n您选择了“每日汇总”：以下是截至{day}您关注的内容的新消息，共 {len(found)} 条，"
                   f"每天汇总成一封邮件发给您。\n\n" + "\n\n".join(parts) + more
                   + "\n\n想一有消息就收到邮件，可以在“管理我的关注”中改为“即时”。")


# --- handlers' morning digest -------------------------------------------------------------


def due_cases(session: Session, day: date) -> list[QueueRow]:
    """Open cases due within HANDLER_DUE_WITHIN working days of `day` or overdue, as the
    handler queue computes them (its working days left), most urgent first."""
    _, rows = queue(session, QueueFilter(status="open"), today=day, limit=QUEUE_READ)
    return [r for r in rows if r.working_days_left is not None and r.working_days_left <= HANDLER_DUE_WITHIN]


def handlers_with_mail(session: Session) -> list[int]:
    return list(session.scalars(select(Official.id).join(OfficialRole, OfficialRole.official_id == Official.id)
                                .where(OfficialRole.role == "handler", Official.active.is_(True),
                                       Official.email.is_not(None)).order_by(Official.id)))


def make_handler_digests(db, now: datetime, hour: int) -> int:
    """From the digest hour of a working day: one queued digest per handler with an address
    (a unique row each; a second run or worker adds none). The number made."""
    local = to_local(now)
    day = local.date()
    if local.hour < hour:
        return 0
    with db.read() as session:
        if not load_calendar(session).is_workday(day):
            return 0
        wanted = set(handlers_with_mail(session))
        wanted -= set(session.scalars(select(HandlerDigest.official_id).where(HandlerDigest.day == day)))
    if not wanted:
        return 0
    with db.write() as session:
        table = HandlerDigest.__table__
        session.execute(_insert(session)(table).values([
            {"official_id": o, "day": day, "status": QUEUED, "attempts": 0, "next_attempt_at": now}
            for o in sorted(wanted)]).on_conflict_do_nothing(index_elements=[table.c.official_id, table.c.day]))
    return len(wanted)


def handler_message(session: Session, digest: HandlerDigest, settings) -> tuple[EmailMessage, int] | None:
    """The mail and how many cases it lists; None when the account no longer takes it or no
    case is due (nothing is mailed then)."""
    official = session.get(Official, digest.official_id)
    if official is None or not official.active or not official.email or "handler" not in official.roles:
        return None
    cases = due_cases(session, digest.day)
    if not cases:
        return None
    overdue = sum(1 for c in cases if c.working_days_left < 0)
    lines = []
    for c in cases[:MOST_CASES]:
        left = c.working_days_left
        when = f"已逾期 {-left} 个工作日" if left < 0 else ("今天到期" if left == 0 else f"还剩 {left} 个工作日")
        lines.append(f"· {c.tracking_no}　{KIND_LABELS.get(c.kind, c.kind)}　"
                     f"{DUE_KIND_LABELS.get(c.due_kind or '', '办理')}期限 {cn_date(c.due_on)}"
                     f"{'（暂定）' if c.due_provisional else ''}　{when}")
    more = f"\n另有 {len(cases) - MOST_CASES} 件，请在工作台查看。" if len(cases) > MOST_CASES else ""
    day = cn_date(digest.day)
    body = (f"{official.display_name}，您好：\n\n截至{day}，有 {len(cases)} 件未办结的投诉举报已逾期或将在"
            f"{HANDLER_DUE_WITHIN} 个工作日内到期（其中已逾期 {overdue} 件）：\n\n" + "\n".join(lines) + more
            + f"\n\n请登录工作台办理：{settings.public_url or ''}/{WORKBENCH}\n\n"
              "——\n本邮件在每个工作日上午自动发送给投诉举报处理人员，只列出编号和期限；"
              "投诉人的信息请在工作台查看。如需停收，请联系系统管理员删除账号中的邮箱。")
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = official.email
    message["Subject"] = f"投诉举报到期提醒（{day}）：{len(cases)} 件" + (f"，其中 {overdue} 件已逾期" if overdue else "")
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = f"<handler-digest.{digest.id}@{sender_domain(settings.mail_from)}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message, len(cases)


@dataclass
class HandlerStats:
    sent: int = 0
    empty: int = 0
    retried: int = 0
    failed: int = 0


def _end(db, digest_id: int, **values) -> None:
    with db.write() as session:
        session.execute(update(HandlerDigest).where(HandlerDigest.id == digest_id, HandlerDigest.status == SENDING)
                        .values(lease_until=None, **values))


def send_handler_digests(db, settings, now: datetime, *, lease_seconds: int = LEASE_SECONDS,
                         transport_factory=SmtpTransport) -> HandlerStats:
    """Send every due handler digest (each marked in its own transaction: a handful a day)."""
    stats = HandlerStats()
    while ids := claim_due(db, HandlerDigest, now, lease_seconds, 50):
        with db.read() as session:
            composed = [(d.id, d.attempts, handler_message(session, d, settings))
                        for d in session.scalars(select(HandlerDigest).where(HandlerDigest.id.in_(ids)))]
        try:
            transport = transport_factory(settings.smtp_url).__enter__()
        except TemporaryFailure as exc:
            for digest_id, attempts, _ in composed:
                _retry_handler(db, digest_id, attempts, str(exc), now, stats)
            return stats
        try:
            for digest_id, attempts, found in composed:
                if found is None:
                    _end(db, digest_id, status=DROPPED, cases=0)
                    stats.empty += 1
                    continue
                message, count = found
                try:
                    transport.send(message)
                except PermanentFailure as exc:
                    _end(db, digest_id, status=FAILED, last_error=str(exc)[:300])
                    stats.failed += 1
                    continue
                except TemporaryFailure as exc:
                    _retry_handler(db, digest_id, attempts, str(exc), now, stats)
                    continue
                _end(db, digest_id, status=SENT, sent_at=utcnow(), cases=count)
                stats.sent += 1
        finally:
            transport.__exit__(None, None, None)
        if stats.retried and not stats.sent:
            return stats
    return stats


def _retry_handler(db, digest_id: int, attempts: int, error: str, now: datetime, stats: HandlerStats) -> None:
    if attempts >= MAX_ATTEMPTS:
        _end(db, digest_id, status=FAILED, last_error=error[:300])
        stats.failed += 1
    else:
        _end(db, digest_id, status=QUEUED, last_error=error[:300],
             next_attempt_at=now + timedelta(seconds=backoff(attempts)))
        stats.retried += 1
