"""Sampling results (抽检结果), their failed items and 核查处置."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, and_, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.i18n import N_
from portal.registry.models import Business
from portal.timeutil import utcnow

PASSED, FAILED = "合格", "不合格"
# 核查处置 statuses, stored as codes; the labels are what pages, exports and the API show
# (English through data/i18n/en.po). Importers write PENDING.
PENDING, CHECKING, DISPOSED = "pending", "checking", "done"
DISPOSAL_STATUS_LABELS = {PENDING: N_("待核查"), CHECKING: N_("核查中"), DISPOSED: N_("已处置")}
DISPOSAL_STATUSES = tuple(DISPOSAL_STATUS_LABELS)


class SamplingImport(Base):
    """One imported announcement file (the provenance of its batches)."""
    __tablename__ = "sampling_imports"

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


class SamplingBatch(Base):
    __tablename__ = "sampling_batches"
    __table_args__ = (
        Index("ix_sampling_batches_filters", "in_jurisdiction", "category", "district_adcode",
              "result", "announcement_date"),
        Index("ix_sampling_batches_result_date", "result", "announcement_date"),
        Index("ix_sampling_batches_date", "announcement_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Identity from content (food, producer, sampled unit, production date/batch, 公告号),
    # never from 序号 or row position.
    identity_key: Mapped[str] = mapped_column(String(40), unique=True)
    content_hash: Mapped[str] = mapped_column(String(40))
    food_name: Mapped[str] = mapped_column(String(200))
    producer_name: Mapped[str | None] = mapped_column(String(200))
    producer_address: Mapped[str | None] = mapped_column(String(300))
    sampled_unit: Mapped[str | None] = mapped_column(String(200))
    sampled_address: Mapped[str | None] = mapped_column(String(300))
    sampled_province: Mapped[str | None] = mapped_column(String(40))
    specification: Mapped[str | None] = mapped_column(String(200))
    trademark: Mapped[str | None] = mapped_column(String(100))
    production_date: Mapped[date | None] = mapped_column(Date)
    production_batch: Mapped[str | None] = mapped_column(String(120))  # as printed
    category: Mapped[str] = mapped_column(String(100), default="未分类")
    subcategory: Mapped[str | None] = mapped_column(String(100))
    announcement_no: Mapped[str | None] = mapped_column(String(120))  # searched with LIKE
    announcement_date: Mapped[date | None] = mapped_column(Date)
    task_source: Mapped[str | None] = mapped_column(String(200))
    inspection_agency: Mapped[str | None] = mapped_column(String(200))
    remark: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str] = mapped_column(String(4))
    # Sampled inside this jurisdiction (national announcements list units from everywhere).
    in_jurisdiction: Mapped[bool] = mapped_column(Boolean, default=False)
    district_adcode: Mapped[str | None] = mapped_column(ForeignKey("districts.adcode"))
    sampled_business_id: Mapped[int | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"), index=True)
    producer_business_id: Mapped[int | None] = mapped_column(
        ForeignKey("businesses.id", ondelete="SET NULL"), index=True)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("sampling_imports.id", ondelete="SET NULL"))
    # Its character pairs (portal.sampling.search_index), indexed by FTS5 / GIN.
    search_bigrams: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @hybrid_property
    def search_text(self) -> str:
        """Food, producer and sampled unit: what a keyword search looks in (computed, not
        stored; the character-pair index finds candidates, this confirms the substring)."""
        return " ".join(p or "" for p in (self.food_name, self.producer_name, self.sampled_unit))

    @search_text.inplace.expression
    @classmethod
    def _search_text_expression(cls):
        return (cls.food_name + " " + func.coalesce(cls.producer_name, "") + " "
                + func.coalesce(cls.sampled_unit, ""))

    @hybrid_property
    def disposal_duty(self) -> bool:
        """This bureau must verify and dispose of it (核查处置): failed and sampled here. A
        failed 外地 batch (a national or another province's announcement) is published, but
        its disposal is the duty of the bureau where it was sampled: no deadline, never overdue."""
        return self.result == FAILED and bool(self.in_jurisdiction)

    @disposal_duty.inplace.expression
    @classmethod
    def _disposal_duty_expression(cls):
        return and_(cls.result == FAILED, cls.in_jurisdiction.is_(True))

    failed_items: Mapped[list[FailedItem]] = relationship(
        cascade="all, delete-orphan", order_by="FailedItem.position", lazy="selectin")
    disposal: Mapped[Disposal | None] = relationship(
        cascade="all, delete-orphan", uselist=False, lazy="selectin")
    # Loaded only where needed (queries.get_batch); never lazily on a list of results.
    sampled_business: Mapped[Business | None] = relationship(foreign_keys=[sampled_business_id],
                                                            lazy="raise")
    producer_business: Mapped[Business | None] = relationship(foreign_keys=[producer_business_id],
                                                             lazy="raise")


class FailedItem(Base):
    """One failed indicator of a batch: 项目║检验结果║标准值."""
    __tablename__ = "sampling_failed_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("sampling_batches.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    item: Mapped[str] = mapped_column(String(200), index=True)
    result_value: Mapped[str | None] = mapped_column(String(300))
    standard_value: Mapped[str | None] = mapped_column(String(300))


class Disposal(Base):
    """核查处置 of a failed batch: PENDING (待核查) -> CHECKING (核查中) -> DISPOSED (已处置)."""
    __tablename__ = "sampling_disposals"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("sampling_batches.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    measures: Mapped[str | None] = mapped_column(String(300))   # 、-separated
    document_no: Mapped[str | None] = mapped_column(String(120))
    started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    public_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))

    @property
    def status_label(self) -> str:
        return DISPOSAL_STATUS_LABELS.get(self.status, self.status)

    @property
    def done(self) -> bool:
        return self.status == DISPOSED


class BatchReview(Base):
    """复检 (re-testing) or 异议 (objection) on a failed batch, as the business applied and the
    bureau decided: open (复检中), upheld (维持: the result stands) or overturned (推翻). Codes;
    the labels are in portal.sampling.reviews."""
    __tablename__ = "sampling_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("sampling_batches.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))                # retest 复检 / objection 异议
    notified_on: Mapped[date] = mapped_column(Date)              # the business got the result
    applied_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)                   # last day to apply (working days)
    outcome: Mapped[str | None] = mapped_column(String(10))      # None: open; upheld 维持 / overturned 推翻
    decided_on: Mapped[date | None] = mapped_column(Date)
    entered_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
