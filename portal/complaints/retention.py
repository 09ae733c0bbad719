"""Erasing personal data a configurable time after a case is finished (default three years):
name, phone, the citizen's own words and photos go (and the e-mail address given for notices,
unless it follows something else); category, business, dates and outcome
stay for the statistics. Each run leaves an audit row."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.complaints.models import FINISHED_STATUSES, Complaint, ComplaintEvent, ComplaintFollowUp, ComplaintPhoto
from portal.lists.rules import add_years
from portal.notices.follows import drop_complaint_follows
from portal.timeutil import local_today, utcnow

ERASED = "（已按个人信息保存期限删除）"
SYSTEM = Actor(None, "system:retention", "个人信息保存期限", frozenset({"admin"}))


def erase_expired(session: Session, years: int, today: date | None = None,
                  actor: Actor = SYSTEM) -> int:
    authorize(actor, "complaint_erase_personal")
    today = today or local_today()
    cutoff = add_years(today, -years)
    ids = list(session.scalars(select(Complaint.id).where(
        Complaint.status.in_(FINISHED_STATUSES), Complaint.finished_on < cutoff,
        Complaint.personal_erased_at.is_(None))))
    if not ids:
        return 0
    now = utcnow()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        session.execute(update(Complaint).where(Complaint.id.in_(chunk)).values(
            contact_name_enc=None, phone_enc=None, phone_hash=None, phone_masked=None,
            description=ERASED, claim=None, rating_comment=None, address=None, lat=None,
            lng=None, personal_erased_at=now))
        session.execute(update(ComplaintEvent).where(
            ComplaintEvent.complaint_id.in_(chunk), ComplaintEvent.by_citizen.is_(True),
            ComplaintEvent.kind.in_(("citizen_info", "follow_up"))).values(text=ERASED))
        session.execute(update(ComplaintFollowUp).where(ComplaintFollowUp.complaint_id.in_(chunk))
                        .values(answer_text=None))
        session.execute(delete(ComplaintPhoto).where(ComplaintPhoto.complaint_id.in_(chunk)))
        drop_complaint_follows(session, chunk)      # the complainant's notice address
    audit.record(session, actor, "complaint_erase_personal", object_type="complaint",
                 detail={"count": len(ids), "finished_before": cutoff.isoformat(),
                         "retention_years": years, "ids": ids[:1000]})
    return len(ids)
