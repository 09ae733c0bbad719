"""The officials' one write besides the importer: the follow-up of a positive screening
(复核, 下架/销毁, 立案). Validate -> authorize -> write in the caller's session -> audit."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, field_validator, model_validator
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.rapid_tests.models import (CASE_CLOSED, CASE_FILED, CASE_LABELS, POSITIVE,
                                       REVIEW_LABELS, REVIEW_PENDING, RapidFollowUp, RapidTest)
from portal.rapid_tests.rules import rules
from portal.timeutil import local_today, utcnow
from portal.validation import CleanText, InputError, Message, parse

PublicNoteText = CleanText("公开说明", max_len=1000, multiline=True)


class FollowUpUpdate(BaseModel):
    review: str = REVIEW_PENDING
    reviewed_on: date | None = None
    measures: list[str] = []
    measures_on: date | None = None
    case_status: str = "none"
    case_filed_on: date | None = None
    case_closed_on: date | None = None
    public_note: PublicNoteText = ""

    @field_validator("review")
    @classmethod
    def _review(cls, value):
        if value not in REVIEW_LABELS:
            raise ValueError(f"复核结果只能是{'、'.join(REVIEW_LABELS.values())}")
        return value

    @field_validator("case_status")
    @classmethod
    def _case(cls, value):
        if value not in CASE_LABELS:
            raise ValueError(f"立案情况只能是{'、'.join(CASE_LABELS.values())}")
        return value

    @field_validator("measures")
    @classmethod
    def _measures(cls, value):
        unknown = [m for m in value if m not in rules()["measure_words"]]
        if unknown:
            raise ValueError(f"未知措施：{'、'.join(unknown)}")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _dates(self):
        today = local_today()
        for day in (self.reviewed_on, self.measures_on, self.case_filed_on, self.case_closed_on):
            if day and day > today:
                raise ValueError("日期不能晚于今天")
        if self.review != REVIEW_PENDING and not self.reviewed_on:
            raise ValueError("请填写复核日期")
        if self.case_status in (CASE_FILED, CASE_CLOSED) and not self.case_filed_on:
            raise ValueError("请填写立案日期")
        if self.case_status == CASE_CLOSED and not self.case_closed_on:
            raise ValueError("请填写结案日期")
        if self.case_filed_on and self.case_closed_on and self.case_closed_on < self.case_filed_on:
            raise ValueError("结案日期不能早于立案日期")
        return self


def update_follow_up(session: Session, actor: Actor, test_id: int, data: dict) -> RapidFollowUp:
    authorize(actor, "rapid_follow_up_update")
    form = parse(FollowUpUpdate, data)
    test = session.get(RapidTest, test_id)
    if test is None or test.result != POSITIVE:
        raise InputError({"test": Message("只有初筛阳性的快检结果需要登记后续处置")})
    follow = test.follow_up or RapidFollowUp(test_id=test_id)
    before = {"review": follow.review, "measures": follow.measures, "case_status": follow.case_status}
    follow.review, follow.reviewed_on = form.review, form.reviewed_on
    follow.measures = "、".join(form.measures) or None
    follow.measures_on = form.measures_on if form.measures else None
    follow.case_status = form.case_status
    follow.case_filed_on = form.case_filed_on if form.case_status != "none" else None
    follow.case_closed_on = form.case_closed_on if form.case_status == CASE_CLOSED else None
    follow.public_note = form.public_note or None
    follow.updated_at, follow.updated_by = utcnow(), actor.username
    session.add(follow)
    audit.record(session, actor, "rapid_follow_up_update", object_type="rapid_test",
                 object_id=test_id, detail={"before": before, "after": {
                     "review": follow.review, "measures": follow.measures,
                     "case_status": follow.case_status}})
    return follow
