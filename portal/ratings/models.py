from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.timeutil import utcnow


class Inspection(Base):
    """One rating inspection: its score and the dynamic grade it gave."""
    __tablename__ = "rating_inspections"
    __table_args__ = (Index("ix_rating_inspections_business_date", "business_id", "inspected_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    inspected_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Incident(Base):
    """A food-safety incident at a business: no dynamic grade for the months that follow."""
    __tablename__ = "rating_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"),
                                             index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class KitchenDisplay(Base):
    """明厨亮灶: how the public can see the kitchen, and the stream link where there is one."""
    __tablename__ = "kitchen_displays"

    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"),
                                             primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    stream_url: Mapped[str | None] = mapped_column(String(500))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GradeReply(Base):
    """A business's written reply to its grade (the right to reply, as in the UK's scheme),
    entered by a publisher from the business's letter and shown beside the grade only once a
    publisher has approved it (moderated: pending → published or rejected)."""
    __tablename__ = "grade_replies"
    __table_args__ = (Index("ix_grade_replies_business_status", "business_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)          # the day the business's letter came
    status: Mapped[str] = mapped_column(String(10), default="pending")   # REPLY_STATUSES
    moderation_note: Mapped[str | None] = mapped_column(String(300))
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column()
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


PENDING, PUBLISHED, REJECTED = "pending", "published", "rejected"
REPLY_STATUSES = (PENDING, PUBLISHED, REJECTED)
