"""The follow-up questionnaire ("问题解决了吗？", as FixMyStreet's): four weeks after a case
closed, the complainant who gave an e-mail at filing (with consent) is asked once whether
the problem was solved: 已解决 / 部分解决 / 没有解决, with words if they like.

- `schedule` (run by the notice worker, portal.notices.delivery.run_once): every case closed
  FOLLOW_UP_DAYS or more ago, whose complainant follows it by e-mail and which has no
  questionnaire yet, gets one row (unique per case: a second worker or a second run adds
  nothing) and one mail in the outbox, in the same transaction.
- `answer` (a citizen's action, no actor: the signed link is the authority): the answer is
  stored (the words masked as complaints' are) and shown on the case's timeline; "没有解决"
  puts the case back in the handler's queue as REOPENED, with a new legal clock from the
  answer day (deadlines.due_for, due_kind "reopen"), audited.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, field_validator
from sqlalchemy import String, cast, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import data_version, personal
from portal.accounts import audit
from portal.complaints import rules
from portal.complaints.deadlines import due_for
from portal.complaints.models import (CLOSED, FOLLOW_UP_LABELS, UNRESOLVED, REOPENED, Complaint,
                                      ComplaintEvent, ComplaintFollowUp)
from portal.notices import events as notice_events, links
from portal.notices.models import COMPLAINT, EMAIL, FOLLOW_UP, Follow, NoticeContact
from portal.timeutil import local_today, utcnow
from portal.validation import CleanText, InputError, Message, parse
from portal.workdays import load_calendar

FOLLOW_UP_DAYS = 28
# The audit log's name for the one who reopened a case: the complainant, through the link.
CITIZEN = "citizen:follow-up"
AnswerText = Annotated[CleanText("您的意见", max_len=1000, multiline=True), AfterValidator(personal.mask_personal)]


def due(session: Session, today: date | None = None, limit: int = 500) -> list[tuple[int, int]]:
    """(case id, contact id) of the closed cases whose questionnaire is due and not yet sent."""
    cutoff = (today or local_today()) - timedelta(days=FOLLOW_UP_DAYS)
    sent = select(ComplaintFollowUp.id).where(ComplaintFollowUp.complaint_id == Complaint.id).exists()
    rows = session.execute(
        select(Complaint.id, Follow.contact_id)
        .join(Follow, (Follow.topic == COMPLAINT) & (Follow.subject == cast(Complaint.id, String)))
        .join(NoticeContact, (NoticeContact.id == Follow.contact_id) & (NoticeContact.channel == EMAIL))
        .where(Complaint.status == CLOSED, Complaint.finished_on <= cutoff,
               Complaint.personal_erased_at.is_(None), ~sent)
        .order_by(Complaint.id, Follow.contact_id).limit(limit)).all()
    chosen: dict[int, int] = {}
    for complaint_id, contact_id in rows:
        chosen.setdefault(complaint_id, contact_id)      # one questionnaire per case
    return list(chosen.items())


def schedule(session: Session, today: date | None = None) -> int:
    """Queue the due questionnaires in the caller's transaction; how many were queued."""
    queued = 0
    for complaint_id, contact_id in due(session, today):
        follow_up = ComplaintFollowUp(complaint_id=complaint_id, contact_id=contact_id,
                                      link_key=secrets.token_hex(16), created_at=utcnow(),
                                      is_demo=bool(session.scalar(select(Complaint.is_demo)
                                                                  .where(Complaint.id == complaint_id))))
        try:
            with session.begin_nested():      # another worker got there first: nothing to do
                session.add(follow_up)
                session.flush()
        except IntegrityError:
            continue
        notice_events.direct(session, FOLLOW_UP, follow_up.id, contact_id)
        queued += 1
    return queued


def open_link(session: Session, secret_key: str, raw_token: str, *, lock: bool = False) -> ComplaintFollowUp | None:
    """The unanswered questionnaire a link opens, or None (forged, another purpose, answered)."""
    follow_up_id = links.token_id(raw_token)
    follow_up = session.get(ComplaintFollowUp, follow_up_id, with_for_update=lock) if follow_up_id else None
    if follow_up is None or not links.valid(secret_key, links.FOLLOW_UP, raw_token, follow_up.link_key):
        return None
    return None if follow_up.answered_at is not None else follow_up


class AnswerForm(BaseModel):
    answer: str
    text: AnswerText = ""

    @field_validator("answer")
    @classmethod
    def _answer(cls, v):
        if v not in FOLLOW_UP_LABELS:
            raise ValueError(Message("请选择 已解决、部分解决 或 没有解决"))
        return v


def answer(session: Session, follow_up: ComplaintFollowUp, data: dict, *, today: date | None = None,
           now: datetime | None = None) -> Complaint:
    """Record the answer; "没有解决" reopens the case (or the case it was merged into)."""
    form = parse(AnswerForm, {"answer": data.get("answer") or "", "text": data.get("text") or ""})
    if follow_up.answered_at is not None:
        raise InputError({"case": Message("您已经回答过了，谢谢")})
    now, today = now or utcnow(), today or local_today()
    case = session.get(Complaint, follow_up.complaint_id, with_for_update=True)
    follow_up.answer, follow_up.answer_text, follow_up.answered_at = form.answer, form.text or None, now
    label = FOLLOW_UP_LABELS[form.answer]
    words = f"回访：{label}。" + (f"\n{form.text}" if form.text else "")
    _event(session, case, "follow_up", words, now)
    case.updated_at = now
    if form.answer == UNRESOLVED:
        target = session.get(Complaint, case.merged_into_id, with_for_update=True) if case.merged_into_id else case
        if target.status == CLOSED:
            if target is not case:            # the words go where the handler works
                _event(session, target, "follow_up", words, now)
            reopen(session, target, today, now)
    else:
        data_version.bump(session)           # the public statistics count the answer
    return case


def _event(session: Session, case: Complaint, kind: str, text: str, now: datetime) -> None:
    session.add(ComplaintEvent(complaint_id=case.id, at=now, kind=kind, public=True, by_citizen=True,
                               text=text, is_demo=case.is_demo))


def reopen(session: Session, case: Complaint, today: date, now: datetime) -> None:
    """Back in the handler's queue: a new status, a new clock from `today`, the citizen's
    words on the timeline, an audit row."""
    case.status, case.reopened_on, case.due_kind = REOPENED, today, "reopen"
    new_due = due_for(case, load_calendar(session), rules.rule_sets(session))
    case.due_on, case.due_provisional = new_due.day, new_due.provisional
    case.finished_on = case.finished_working_days = case.on_time = None
    case.awaiting_citizen = False
    case.updated_at = now
    _event(session, case, "reopened", "回访时反映问题没有解决，案件已重新交办理人员办理。", now)
    audit.record(session, None, "complaint_reopen", actor_name=CITIZEN, object_type="complaint",
                 object_id=case.id, detail={"tracking_no": case.tracking_no, "due_on": str(case.due_on),
                                            "reopened_on": today.isoformat()})
