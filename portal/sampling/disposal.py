"""核查处置 of failed batches: the officials' queue and the one action that updates it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.sampling.models import (DISPOSAL_STATUS_LABELS, DISPOSAL_STATUSES, DISPOSED, PENDING,
                                    Disposal, SamplingBatch)
from portal.timeutil import local_today, utcnow
from portal.validation import CleanText, InputError, Message, parse

MEASURES = ("下架", "封存", "召回", "责令整改", "立案调查", "罚款", "没收违法所得",
            "移送公安机关", "复检", "通报生产地监管部门")


# Free-text fields of the forms below (checked by clean_text).
DocumentNoText = CleanText("文书号", max_len=120)
PublicNoteText = CleanText("公开说明", max_len=1000, multiline=True)


class DisposalUpdate(BaseModel):
    status: str
    measures: list[str] = []
    document_no: DocumentNoText = ""
    started_on: date | None = None
    completed_on: date | None = None
    public_note: PublicNoteText = ""

    @field_validator("status")
    @classmethod
    def _status(cls, value):
        if value not in DISPOSAL_STATUSES:
            raise ValueError(Message("状态只能是{choices}",
                                     choices="、".join(DISPOSAL_STATUS_LABELS.values())))
        return value

    @field_validator("measures")
    @classmethod
    def _measures(cls, value):
        unknown = [m for m in value if m not in MEASURES]
        if unknown:
            raise ValueError(f"未知措施：{'、'.join(unknown)}")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _complete(self):
        today = local_today()
        if self.completed_on and self.completed_on > today:
            raise ValueError("办结日期不能晚于今天")
        if self.status == DISPOSED:
            if not self.measures:
                raise ValueError("标记为“已处置”前，请选择已采取的处置措施")
            if not self.completed_on:
                raise ValueError("标记为“已处置”前，请填写办结日期")
        if self.started_on and self.completed_on and self.completed_on < self.started_on:
            raise ValueError("办结日期不能早于开始核查日期")
        return self


def update_disposal(session: Session, actor: Actor, batch_id: int, data: dict) -> Disposal:
    authorize(actor, "disposal_update")
    form = parse(DisposalUpdate, data)
    disposal = session.get(Disposal, batch_id)
    if disposal is None:
        raise InputError({"batch": Message("这一批次没有核查处置记录（只有在本市抽样的不合格批次需要核查处置）")})
    batch = session.get(SamplingBatch, batch_id)
    if not batch.disposal_duty:
        raise InputError({"batch": Message("这一批次不是在本市抽样的（外地批次），核查处置由抽样地的监管部门负责")})
    before = {"status": disposal.status, "measures": disposal.measures,
              "document_no": disposal.document_no}
    disposal.status = form.status
    disposal.measures = "、".join(form.measures) or None
    disposal.document_no = form.document_no or None
    disposal.started_on = form.started_on or (disposal.started_on if form.status != PENDING else None)
    if form.status != PENDING and disposal.started_on is None:
        disposal.started_on = local_today()
    disposal.completed_on = form.completed_on if form.status == DISPOSED else None
    disposal.public_note = form.public_note or None
    disposal.updated_at, disposal.updated_by = utcnow(), actor.username
    audit.record(session, actor, "disposal_update", object_type="sampling_batch",
                 object_id=batch_id, detail={"before": before, "after": {
                     "status": disposal.status, "measures": disposal.measures,
                     "document_no": disposal.document_no}})
    return disposal


@dataclass(frozen=True)
class QueueRow:
    batch_id: int
    food_name: str
    sampled_unit: str | None
    announcement_date: date | None
    status: str
    due_on: date | None
    overdue: bool


def queue(session: Session, status: str | None = None, today: date | None = None,
          limit: int = 500) -> list[QueueRow]:
    """This bureau's 核查处置 (failed batches sampled here): overdue first, then by due date."""
    today = today or local_today()
    query = select(SamplingBatch.id, SamplingBatch.food_name, SamplingBatch.sampled_unit,
                   SamplingBatch.announcement_date, Disposal.status, Disposal.due_on) \
        .join(Disposal, Disposal.batch_id == SamplingBatch.id).where(SamplingBatch.disposal_duty)
    if status:
        query = query.where(Disposal.status == status)
    query = query.order_by((Disposal.status == DISPOSED).asc(), Disposal.due_on.asc().nulls_last(),
                           SamplingBatch.id).limit(limit)
    return [QueueRow(i, f, u, a, s, d, s != DISPOSED and d is not None and d < today)
            for i, f, u, a, s, d in session.execute(query)]
