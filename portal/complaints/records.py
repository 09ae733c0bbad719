"""Reading one case for a page: the case, its timeline and its photos."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.complaints.models import Complaint, ComplaintPhoto


def photos(session: Session, complaint_id: int) -> list[ComplaintPhoto]:
    return list(session.scalars(select(ComplaintPhoto).where(
        ComplaintPhoto.complaint_id == complaint_id).order_by(ComplaintPhoto.id)))


def case_detail(session: Session, complaint_id: int) -> tuple[Complaint, list[ComplaintPhoto]] | None:
    """The case with its events loaded (every one, internal ones too), and its photos."""
    case = session.scalar(select(Complaint).options(selectinload(Complaint.events))
                          .where(Complaint.id == complaint_id))
    return None if case is None else (case, photos(session, complaint_id))
