"""The outbox and the follows.

- `NoticeContact`: one e-mail address (or mobile number), encrypted, found again by a keyed
  hash; deleted at unsubscribe (its follows and unsent deliveries go with it).
- `Follow`: what a contact follows (a business, a district, a food category, every failed
  batch, or its own complaint), pending until the confirmation link is opened.
- `NoticeEvent`: something happened (written in the same transaction as the thing itself);
  `NoticeEventSubject` lists what it is about, so fan-out is one join with the follows.
- `Delivery`: one message to one contact for one event; the unique (event, contact) pair
  makes fan-out safe to repeat, and its id makes the Message-ID stable.
- `HandlerDigest`: a handler's morning mail of cases due soon, one per official per day.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.timeutil import utcnow

EMAIL, SMS = "email", "sms"
# What one follows (Follow.topic); the subject is the business id, adcode, category or "*".
BUSINESS, DISTRICT, CATEGORY, ALL_FAILED, COMPLAINT = "business", "district", "category", "failed", "complaint"
TOPICS = (BUSINESS, DISTRICT, CATEGORY, ALL_FAILED, COMPLAINT)
PENDING, ACTIVE = "pending", "active"
# Event kinds.
SAMPLING_FAILED = "sampling_failed"      # ref: the sampling import that published failed batches
COMPLAINT_STATUS = "complaint_status"    # ref: the complaint; detail: the new status
COMPLAINT_FILED = "complaint_filed"      # ref: the complaint; secret: number and code (encrypted)
FOLLOW_CONFIRM = "follow_confirm"        # ref: the follow awaiting confirmation
CODE_RECOVERY = "code_recovery"          # ref: the complaint; secret: a new code (encrypted)
FOLLOW_UP = "follow_up"                  # ref: the complaint's follow-up questionnaire (问题解决了吗？)
DAILY_DIGEST = "daily_digest"            # detail: the local day (ISO); one event a day (digests.py)
# Delivery states.
QUEUED, SENDING, SENT, FAILED, DROPPED = "queued", "sending", "sent", "failed", "dropped"
# A delivery for a follower who chose the daily digest waits HELD (never claimed) until the
# digest hour, then becomes DIGESTED: listed in that day's one digest mail (digests.py).
HELD, DIGESTED = "held", "digested"


class NoticeContact(Base):
    __tablename__ = "notice_contacts"
    __table_args__ = (UniqueConstraint("channel", "address_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    address_hash: Mapped[str] = mapped_column(String(64))     # personal.keyed_hash
    address_enc: Mapped[str] = mapped_column(Text)            # personal.encrypt
    # A random key for the signed links in every mail (manage, unsubscribe); changing it
    # voids every link sent before.
    link_key: Mapped[str] = mapped_column(String(32))
    bounces: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Follow(Base):
    __tablename__ = "notice_follows"
    __table_args__ = (UniqueConstraint("contact_id", "topic", "subject"),
                      Index("ix_notice_follows_topic_subject", "topic", "subject", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("notice_contacts.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default=PENDING)
    # 每日汇总: this follow's news waits for the day's digest (False: 即时, mailed at once).
    digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column()


class NoticeEvent(Base):
    __tablename__ = "notice_events"
    # One digest event per local day, however many workers make it (digests.py).
    __table_args__ = (Index("uq_notice_events_digest_day", "detail", unique=True,
                            sqlite_where=text("kind = 'daily_digest'"),
                            postgresql_where=text("kind = 'daily_digest'")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(String(64))
    secret: Mapped[str | None] = mapped_column(Text)           # personal.encrypt; erased once sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Fan-out: the follows up to fan_upto (the largest follow id when it began) are taken in
    # chunks of ids above fan_cursor; fanned_out_at is set when the last chunk is in.
    fan_upto: Mapped[int | None] = mapped_column(Integer)
    fan_cursor: Mapped[int] = mapped_column(Integer, default=0)
    fanned_out_at: Mapped[datetime | None] = mapped_column(index=True)


class NoticeEventSubject(Base):
    __tablename__ = "notice_event_subjects"

    event_id: Mapped[int] = mapped_column(ForeignKey("notice_events.id", ondelete="CASCADE"),
                                          primary_key=True)
    topic: Mapped[str] = mapped_column(String(12), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)


class Delivery(Base):
    __tablename__ = "notice_deliveries"
    # (contact, event) unique: fan-out's ON CONFLICT, and the index that erasing a contact's
    # deliveries uses (one index fewer to write per delivery).
    __table_args__ = (UniqueConstraint("contact_id", "event_id"),
                      Index("ix_notice_deliveries_status_due", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign keys here, on purpose: their per-row checks were half the time of a
    # 100,000-row fan-out on PostgreSQL. Events are never deleted; a contact's deliveries
    # are deleted with it (follows.erase_contact), and the worker drops one whose contact
    # is gone.
    event_id: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker's claim: while lease_until is ahead, no other worker takes the message; a
    # worker that died leaves it to be taken again after that.
    lease_until: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # DIGESTED: the day's digest event whose mail lists this one.
    digest_event_id: Mapped[int | None] = mapped_column(Integer)


class HandlerDigest(Base):
    """A handler's morning mail of the cases due within two working days (digests.py): one
    row per official per working day, so several workers make and send it once. It is sent
    like a delivery (claimed with a lease, a stable Message-ID, marked sent)."""
    __tablename__ = "handler_digests"
    __table_args__ = (UniqueConstraint("official_id", "day"),
                      Index("ix_handler_digests_status", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column()
    cases: Mapped[int | None] = mapped_column(Integer)       # how many the mail listed
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(300))

