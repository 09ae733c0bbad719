"""The business's right to reply on its grade: a publisher enters the business's written
reply (from its letter), and a publisher approves or rejects it before it is shown beside the
grade on the business page and the door page. The newest published reply is the one shown.

Moderation keeps out what a public page must not carry (insults, personal data, advertising);
mobile numbers and ID numbers in the text are masked when it is entered, as in complaints."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.personal import mask_personal
from portal.ratings.models import PENDING, PUBLISHED, REJECTED, GradeReply
from portal.registry.actions import business_or_error
from portal.timeutil import utcnow
from portal.validation import InputError, Message, checked, clean_text, not_future, parse

MAX_CHARS = 500


class ReplyForm(BaseModel):
    text: str
    received_on: date | None

    @field_validator("text")
    @classmethod
    def _text(cls, value):
        return mask_personal(clean_text(value, "回应内容", min_len=5, max_len=MAX_CHARS, multiline=True))

    @field_validator("received_on")
    @classmethod
    def _day(cls, value):
        return not_future(value, "收到日期")


def enter_reply(session: Session, actor: Actor, business_id: int, data: dict) -> GradeReply:
    authorize(actor, "grade_reply_enter")
    form = parse(ReplyForm, data)
    business = business_or_error(session, business_id)
    if not business.is_catering:
        raise InputError({"business": Message("只有参加量化分级的餐饮服务单位可以回应等级")})
    reply = GradeReply(business_id=business.id, text=form.text, received_on=form.received_on,
                       status=PENDING, entered_by=actor.username, entered_at=utcnow(), is_demo=False)
    session.add(reply)
    session.flush()
    audit.record(session, actor, "grade_reply_enter", object_type="business", object_id=business.id,
                 detail={"reply": reply.id, "received_on": form.received_on.isoformat()})
    return reply


def moderate_reply(session: Session, actor: Actor, reply_id: int, publish: bool, note: str = "") -> GradeReply:
    """Publish a pending reply, or reject it with the reason (kept for the record)."""
    authorize(actor, "grade_reply_moderate")
    reply = session.get(GradeReply, reply_id)
    if reply is None or reply.status != PENDING:
        raise InputError({"reply": Message("这条回应不存在或已经审核过")})
    note = checked("note", clean_text, note, "审核意见", min_len=0 if publish else 2, max_len=300)
    reply.status = PUBLISHED if publish else REJECTED
    reply.moderation_note = note or None
    reply.decided_by, reply.decided_at = actor.username, utcnow()
    audit.record(session, actor, "grade_reply_moderate", object_type="business", object_id=reply.business_id,
                 detail={"reply": reply.id, "status": "已公开" if publish else "未通过"})
    return reply


def published_reply(session: Session, business_id: int) -> GradeReply | None:
    """The reply shown beside the grade: the newest published one."""
    return session.scalar(select(GradeReply).where(
        GradeReply.business_id == business_id, GradeReply.status == PUBLISHED)
        .order_by(GradeReply.received_on.desc(), GradeReply.id.desc()).limit(1))


def published_replies(session: Session, business_ids: list[int]) -> dict[int, GradeReply]:
    """Each business's newest published reply, for a page of businesses (one query)."""
    if not business_ids:
        return {}
    out: dict[int, GradeReply] = {}
    for reply in session.scalars(select(GradeReply).where(
            GradeReply.business_id.in_(business_ids), GradeReply.status == PUBLISHED)
            .order_by(GradeReply.received_on, GradeReply.id)):
        out[reply.business_id] = reply          # the newest last
    return out


def pending_replies(session: Session, business_id: int) -> list[GradeReply]:
    return list(session.scalars(select(GradeReply).where(
        GradeReply.business_id == business_id, GradeReply.status == PENDING).order_by(GradeReply.id)))
