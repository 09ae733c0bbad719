from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.timeutil import utcnow

BLACK, RED = "black", "red"


class ListEntry(Base):
    """One listing. It leaves the public list when removed or past its end date, and stays
    here as history."""
    __tablename__ = "list_entries"
    __table_args__ = (Index("ix_list_entries_kind_dates", "kind", "removed_on", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(5))           # black / red
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"), index=True)
    business_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    reason: Mapped[str] = mapped_column(Text)
    decision_no: Mapped[str | None] = mapped_column(String(120))   # 处罚决定书文号 (black)
    authority: Mapped[str] = mapped_column(String(120))
    listed_on: Mapped[date] = mapped_column(Date)
    early_removal_from: Mapped[date | None] = mapped_column(Date)  # black: listed_on + 1 year
    ends_on: Mapped[date | None] = mapped_column(Date)             # black: removal due; red: period end
    removed_on: Mapped[date | None] = mapped_column(Date)
    removal_reason: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
