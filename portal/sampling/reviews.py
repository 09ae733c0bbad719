"""复检 and 异议 on a failed batch: the business may apply for re-testing (复检) or object to the
sampling (异议) within the working days data/sampling/rules.json sets (from 《食品安全抽样检验
管理办法》, unverified until checked against the text), counted on the complaints' working-day
calendar (portal/workdays.py). A publisher records the application and then the outcome;
the batch, the business page and the door page show 复检中 / 复检维持 / 复检推翻 with dates."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.i18n import N_
from portal.sampling.models import FAILED, BatchReview, SamplingBatch
from portal.sampling.rules import rules
from portal.timeutil import utcnow
from portal.validation import InputError, Message, checked, not_future, parse
from portal.workdays import load_calendar

# Stored codes, with their labels here only (the API gives the codes).
RETEST, OBJECTION = "retest", "objection"
UPHELD, OVERTURNED = "upheld", "overturned"
KINDS = {RETEST: "review_working_days", OBJECTION: "objection_working_days"}   # → its rule
KIND_LABELS = {RETEST: N_("复检"), OBJECTION: N_("异议")}
OUTCOME_LABELS = {UPHELD: N_("维持原检验结论"), OVERTURNED: N_("推翻原检验结论")}
OUTCOMES = tuple(OUTCOME_LABELS)
# What the public pages say: (kind, outcome) → label.
LABELS = {(RETEST, None): N_("复检中"), (RETEST, UPHELD): N_("复检维持"), (RETEST, OVERTURNED): N_("复检推翻"),
          (OBJECTION, None): N_("异议审核中"), (OBJECTION, UPHELD): N_("异议未成立"),
          (OBJECTION, OVERTURNED): N_("异议成立")}


class ReviewForm(BaseModel):
    kind: str
    notified_on: date | None
    applied_on: date | None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value):
        if value not in KINDS:
            raise ValueError(Message("请选择复检或异议"))
        return value

    @field_validator("notified_on")
    @classmethod
    def _notified(cls, value):
        return not_future(value, "收到检验结论日期")

    @field_validator("applied_on")
    @classmethod
    def _applied(cls, value):
        return not_future(value, "申请日期")


def record_application(session: Session, actor: Actor, batch_id: int, data: dict) -> BatchReview:
    """An application on time (late ones are refused, as the rules allow none)."""
    authorize(actor, "review_record")
    form = parse(ReviewForm, data)
    batch = session.get(SamplingBatch, batch_id)
    if batch is None or batch.result != FAILED:
        raise InputError({"batch": Message("只有不合格批次可以申请复检或异议")})
    if form.applied_on < form.notified_on:
        raise InputError({"applied_on": Message("申请日期不能早于收到检验结论日期")})
    if session.scalar(select(BatchReview.id).where(BatchReview.batch_id == batch_id,
                                                   BatchReview.kind == form.kind).limit(1)):
        raise InputError({"kind": Message("这个批次已登记过{kind}申请", kind=KIND_LABELS[form.kind])})
    days = rules()[KINDS[form.kind]]["value"]
    due = load_calendar(session).add_working_days(form.notified_on, days).day
    if form.applied_on > due:
        raise InputError({"applied_on": Message("已超过申请期限（收到结论后 {n} 个工作日，即{due}前）",
                                                n=days, due=f"{due.year}年{due.month}月{due.day}日")})
    review = BatchReview(batch_id=batch_id, kind=form.kind, notified_on=form.notified_on,
                         applied_on=form.applied_on, due_on=due, entered_by=actor.username,
                         updated_at=utcnow(), is_demo=False)
    session.add(review)
    session.flush()
    audit.record(session, actor, "review_record", object_type="sampling_batch", object_id=batch_id,
                 detail={"kind": form.kind, "applied_on": form.applied_on.isoformat()})
    return review


def record_outcome(session: Session, actor: Actor, review_id: int, outcome: str,
                   decided_on: date | None) -> BatchReview:
    authorize(actor, "review_decide")
    review = session.get(BatchReview, review_id)
    if review is None or review.outcome is not None:
        raise InputError({"review": Message("这项申请不存在或已有结论")})
    if outcome not in OUTCOMES:
        raise InputError({"outcome": Message("请选择维持或推翻")})
    decided_on = checked("decided_on", not_future, decided_on, "结论日期")
    if decided_on < review.applied_on:
        raise InputError({"decided_on": Message("结论日期不能早于申请日期")})
    review.outcome, review.decided_on, review.updated_at = outcome, decided_on, utcnow()
    audit.record(session, actor, "review_decide", object_type="sampling_batch", object_id=review.batch_id,
                 detail={"kind": review.kind, "outcome": outcome})
    return review


def reviews_of(session: Session, batch_ids: list[int]) -> dict[int, list[BatchReview]]:
    """Each batch's applications, oldest first."""
    out: dict[int, list[BatchReview]] = {}
    if not batch_ids:
        return out
    for review in session.scalars(select(BatchReview).where(BatchReview.batch_id.in_(batch_ids))
                                  .order_by(BatchReview.applied_on, BatchReview.id)):
        out.setdefault(review.batch_id, []).append(review)
    return out


def label(review: BatchReview) -> str:
    """复检中 / 复检维持 / 复检推翻 (or the 异议 words), in Chinese: the caller translates."""
    return LABELS[(review.kind, review.outcome)]
