"""Complaints and reports, their timeline, photos, supporters and rate-limit counters (the
holiday arrangements an admin enters live with the calendar, in portal.workdays)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.i18n import N_
from portal.timeutil import utcnow

COMPLAINT, REPORT = "complaint", "report"
KIND_LABELS = {COMPLAINT: "投诉", REPORT: "举报"}

SUBMITTED, ACCEPTED, REFUSED, IN_PROGRESS, CLOSED, REOPENED = (
    "submitted", "accepted", "refused", "in_progress", "closed", "reopened")
STATUS_LABELS = {SUBMITTED: "已提交", ACCEPTED: "已受理", REFUSED: "不予受理",
                 IN_PROGRESS: "处理中", CLOSED: "已办结", REOPENED: "重新办理"}
# REOPENED: closed, then the complainant answered the follow-up questionnaire "没有解决":
# back in the handler's queue with a new clock (due_kind "reopen", from reopened_on).
OPEN_STATUSES = (SUBMITTED, ACCEPTED, IN_PROGRESS, REOPENED)
# Being handled after acceptance: assign, reply and close apply.
HANDLING_STATUSES = (ACCEPTED, IN_PROGRESS, REOPENED)
FINISHED_STATUSES = (REFUSED, CLOSED)   # 办结: the bureau has given its answer
RATINGS = ("满意", "基本满意", "不满意")
# The follow-up questionnaire's answers ("问题解决了吗？"), four weeks after a case closed.
RESOLVED, PARTLY, UNRESOLVED = "resolved", "partly", "unresolved"
FOLLOW_UP_LABELS = {RESOLVED: N_("已解决"), PARTLY: N_("部分解决"), UNRESOLVED: N_("没有解决")}
NORMAL, URGENT = "normal", "urgent"
PRIORITY_LABELS = {NORMAL: "普通", URGENT: "紧急"}   # the handler's own call, beside the legal clock


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_due", "status", "due_on"),
        Index("ix_complaints_business_received", "business_id", "received_on"),
        Index("ix_complaints_received", "received_on"),
        Index("ix_complaints_priority", "priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(20), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))          # HMAC of the verification code
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(20), index=True)
    # The respondent: a registry business, or the name and address the citizen typed.
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"))
    business_name: Mapped[str] = mapped_column(String(200))
    district_adcode: Mapped[str | None] = mapped_column(String(6), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)       # None once erased
    claim: Mapped[str | None] = mapped_column(Text)             # 诉求 (complaints)
    # Personal data: name and phone encrypted (shown to handlers on an audited reveal),
    # the phone also as a keyed hash (limits, lookups) and masked (138****1234).
    contact_name_enc: Mapped[str | None] = mapped_column(Text)
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(11))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default=SUBMITTED)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)              # local day, for counting
    rule_set: Mapped[str] = mapped_column(String(20))
    # The clock running now: accept decision (complaint), close (accepted complaint) or the
    # 立案 decision (report). Provisional when it reaches a year without a holiday arrangement.
    due_on: Mapped[date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    due_kind: Mapped[str | None] = mapped_column(String(10))     # accept / close / decide
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    assigned_unit: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(8), default=NORMAL, server_default=NORMAL)
    awaiting_citizen: Mapped[bool] = mapped_column(Boolean, default=False)
    finished_on: Mapped[date | None] = mapped_column(Date)       # refused or closed (local day)
    reopened_on: Mapped[date | None] = mapped_column(Date)       # the follow-up said 没有解决
    finished_working_days: Mapped[int | None] = mapped_column(Integer)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(40))
    reply: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    supporters: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[str | None] = mapped_column(String(4))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]
    personal_erased_at: Mapped[datetime | None]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    events: Mapped[list["ComplaintEvent"]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", cascade="all, delete-orphan",
        passive_deletes=True)


class ComplaintEvent(Base):
    """One step of a case. `public` events are shown to the citizen on 进度查询; the others
    (notes, assignment, reveals) only to officials."""
    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    text: Mapped[str | None] = mapped_column(Text)
    by_citizen: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_name: Mapped[str | None] = mapped_column(String(64))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class ComplaintPhoto(Base):
    """Stored in the database, so every replica and every backup has it. Re-encoded on
    upload: location and other metadata are gone."""
    __tablename__ = "complaint_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_events.id", ondelete="SET NULL"))
    mime: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class ComplaintSupporter(Base):
    """"我也遇到了同样的问题": one row per person (hashed client key) and case."""
    __tablename__ = "complaint_supporters"
    __table_args__ = (UniqueConstraint("complaint_id", "client_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    client_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class ComplaintFollowUp(Base):
    """The questionnaire mailed four weeks after a case closed ("问题解决了吗？"): one per case
    (the unique complaint_id makes the worker's search safe to repeat), to the address given
    at filing. Its link is signed with link_key and works once: answered_at set, it is dead."""
    __tablename__ = "complaint_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), unique=True)
    contact_id: Mapped[int] = mapped_column(Integer)            # notice_contacts.id (may be erased)
    link_key: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(String(12))      # FOLLOW_UP_LABELS
    answer_text: Mapped[str | None] = mapped_column(Text)       # masked like every citizen text
    answered_at: Mapped[datetime | None]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
