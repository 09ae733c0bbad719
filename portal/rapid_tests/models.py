"""Markets' daily rapid tests (快检) and the follow-up of a positive screening result.

A rapid test is a screening result (初筛), not a legal finding: a positive leads to a
laboratory review (复核), to the goods being taken off sale (下架) or destroyed (销毁), and
sometimes to a case (立案). RapidFollowUp holds that, one row per positive.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.i18n import N_
from portal.timeutil import utcnow

# Stored result codes; the sheets' words (阴性/合格, 阳性/不合格) map to them (rules.py).
NEGATIVE, POSITIVE = "negative", "positive"
RESULT_LABELS = {NEGATIVE: N_("阴性（合格）"), POSITIVE: N_("初筛阳性")}
# Laboratory review of a positive.
REVIEW_PENDING, REVIEW_CONFIRMED, REVIEW_NOT_CONFIRMED = "pending", "confirmed", "not_confirmed"
REVIEW_LABELS = {REVIEW_PENDING: N_("待复核"), REVIEW_CONFIRMED: N_("复核确认不合格"),
                 REVIEW_NOT_CONFIRMED: N_("复核未确认（合格）")}
# A case (立案) opened on it.
CASE_NONE, CASE_FILED, CASE_CLOSED = "none", "filed", "closed"
CASE_LABELS = {CASE_NONE: N_("未立案"), CASE_FILED: N_("已立案"), CASE_CLOSED: N_("已结案")}


class RapidMarket(Base):
    """A market (or testing room) whose results are published: few rows, searched by name."""
    __tablename__ = "rapid_markets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RapidTestImport(Base):
    """One imported daily sheet (the provenance of its results)."""
    __tablename__ = "rapid_test_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    imported: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class RapidTest(Base):
    """One sample tested for one item on one day at one market stall."""
    __tablename__ = "rapid_tests"
    __table_args__ = (
        # A market's day and its history (pass rate by month) read only this index.
        Index("ix_rapid_tests_market_day", "market_id", "tested_on", "result"),
        # The latest day, and a day's results across markets, positives first.
        Index("ix_rapid_tests_day", "tested_on", "result"),
        # A food search: matching sample names, then their rows, positives first, newest
        # first. The id is in it so that PostgreSQL reads the first page in index order
        # (SQLite's indexes end with the rowid anyway) instead of visiting every match.
        Index("ix_rapid_tests_sample", "sample", "result", "tested_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Identity from content (day, market, stall, trader, sample, item), never row position.
    identity_key: Mapped[str] = mapped_column(String(40), unique=True)
    content_hash: Mapped[str] = mapped_column(String(40))
    tested_on: Mapped[date] = mapped_column(Date)
    market_id: Mapped[int] = mapped_column(ForeignKey("rapid_markets.id", ondelete="CASCADE"))
    stall: Mapped[str | None] = mapped_column(String(60))       # 摊位号 / 档口
    trader: Mapped[str | None] = mapped_column(String(120))     # 经营户 / 被检单位
    sample: Mapped[str] = mapped_column(String(100))            # 样品名称
    item: Mapped[str] = mapped_column(String(200))              # 检测项目
    method: Mapped[str | None] = mapped_column(String(100))     # 检测方法
    result: Mapped[str] = mapped_column(String(8))              # NEGATIVE / POSITIVE
    value: Mapped[str | None] = mapped_column(String(40))       # as printed, e.g. 抑制率 35.2%
    tester: Mapped[str | None] = mapped_column(String(120))     # 检测单位 / 检测室
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"), index=True)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("rapid_test_imports.id", ondelete="SET NULL"))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    market: Mapped[RapidMarket] = relationship(lazy="joined")
    follow_up: Mapped[RapidFollowUp | None] = relationship(
        cascade="all, delete-orphan", uselist=False, lazy="selectin")


class RapidFollowUp(Base):
    """What happened after a positive screening: 复核, 下架/销毁, 立案."""
    __tablename__ = "rapid_follow_ups"

    test_id: Mapped[int] = mapped_column(
        ForeignKey("rapid_tests.id", ondelete="CASCADE"), primary_key=True)
    review: Mapped[str] = mapped_column(String(16), default=REVIEW_PENDING, index=True)
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    measures: Mapped[str | None] = mapped_column(String(100))   # 下架、销毁 (、-separated)
    measures_on: Mapped[date | None] = mapped_column(Date)
    case_status: Mapped[str] = mapped_column(String(8), default=CASE_NONE)
    case_filed_on: Mapped[date | None] = mapped_column(Date)
    case_closed_on: Mapped[date | None] = mapped_column(Date)
    public_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
