"""Reading each public dataset for the API: filters and paging in SQL, one page of records
in the v1 field spec (schemas.py). Nothing here reads a citizen's personal data."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.api import params as p
from portal.complaints import rules as complaint_rules
from portal.complaints import stats as complaint_stats
from portal.complaints.models import FINISHED_STATUSES, STATUS_LABELS, SUBMITTED, Complaint
from portal.lists.models import ListEntry
from portal.lists.queries import active_query
from portal.ratings.models import Inspection, KitchenDisplay
from portal.ratings.queries import kitchens_of, ratings_for
from portal.ratings.replies import published_replies
from portal.registry import queries as registry
from portal.registry.models import Business, District
from portal.registry.records import STAFF_FIELDS
from portal.registry.schemas import BusinessFilter
from portal.rounds import phases
from portal.rounds import queries as rounds
from portal.rounds.models import Candidate, CandidateBatch, Round, Vote
from portal.sampling import queries as sampling
from portal.sampling.models import SamplingBatch
from portal.sampling.reviews import reviews_of
from portal.sampling.schemas import RESULT_CODES, SamplingFilter

GRADES = {"优秀": ("excellent", "big_smile"), "良好": ("good", "smile"), "一般": ("fair", "neutral")}


def district_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(District.adcode, District.name)).all())


def latest(session: Session, *columns) -> datetime | None:
    """The newest of several max() columns: the dataset's Last-Modified."""
    moments = [session.scalar(select(func.max(column))) for column in columns]
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


# -- sampling ---------------------------------------------------------------------------



def batch_record(batch: SamplingBatch, names: dict[str, str], reviews: list | None = None) -> dict:
    d = batch.disposal
    return {
        "id": batch.id, "food_name": batch.food_name, "category": batch.category,
        "subcategory": batch.subcategory, "producer_name": batch.producer_name,
        "producer_address": batch.producer_address, "sampled_unit": batch.sampled_unit,
        "sampled_address": batch.sampled_address or batch.sampled_province,
        "district_adcode": batch.district_adcode,
        "district_name": names.get(batch.district_adcode or ""),
        "specification": batch.specification, "trademark": batch.trademark,
        "production_date": batch.production_date, "announcement_no": batch.announcement_no,
        "announcement_date": batch.announcement_date, "task_source": batch.task_source,
        "inspection_agency": batch.inspection_agency,
        "result": RESULT_CODES.get(batch.result, "pass"),
        "failed_items": [{"item": f.item, "result_value": f.result_value,
                          "standard_value": f.standard_value} for f in batch.failed_items],
        "disposal": ({"status": d.status_label, "status_code": d.status, "measures": d.measures,
                      "document_no": d.document_no}
                     if d and batch.disposal_duty else None),
        "reviews": [{"kind": r.kind, "applied_on": r.applied_on,
                     "outcome": r.outcome, "decided_on": r.decided_on} for r in reviews or []],
        "in_jurisdiction": bool(batch.in_jurisdiction), "demo": bool(batch.is_demo),
        "updated_at": batch.updated_at,
    }


def sampling_page(session: Session, q: p.SamplingParams) -> tuple[int, list[dict]]:
    total, batches = sampling.search(session, SamplingFilter.of(q), page_size=q.limit,
                                     offset=q.offset, with_details=True)
    names = district_names(session)
    found = reviews_of(session, [b.id for b in batches])
    return total, [batch_record(b, names, found.get(b.id)) for b in batches]


def sampling_one(session: Session, batch_id: int) -> dict | None:
    batch = sampling.get_batch(session, batch_id)
    return batch_record(batch, district_names(session), reviews_of(session, [batch.id]).get(batch.id)) \
        if batch else None


def sampling_modified(session: Session) -> datetime | None:
    return latest(session, SamplingBatch.updated_at)


# -- businesses -------------------------------------------------------------------------

def rating_record(found) -> dict | None:
    if found is None:
        return None
    r = found.rating
    grade, face = GRADES.get(r.dynamic or "", (None, None))
    return {"dynamic_grade": grade, "dynamic_grade_zh": r.dynamic, "face": face,
            "annual_grade": r.annual, "no_grade_reason": r.no_grade_reason,
            "last_inspected_on": r.last_inspected_on, "stale": r.stale}


def business_records(session: Session, businesses: list[Business], today: date) -> list[dict]:
    kitchens = kitchens_of(session, [b.id for b in businesses])
    ratings = ratings_for(session, businesses, today, kitchens)
    names = district_names(session)
    replies = published_replies(session, [b.id for b in businesses])
    out = []
    for b in businesses:
        kitchen = kitchens.get(b.id)
        out.append({
            "id": b.id, "name": b.name, "credit_code": b.credit_code, "licence_no": b.licence_no,
            "sector": b.sector_label, "sector_code": b.sector, "business_type": b.business_type,
            "address": b.address,
            "district_adcode": b.district_adcode, "district_name": names.get(b.district_adcode, ""),
            "lat": b.lat, "lng": b.lng, "location_approximate": bool(b.location_approximate),
            "rating": rating_record(ratings.get(b.id)),
            "kitchen": ({"kind": kitchen.kind, "stream_url": kitchen.stream_url}
                        if kitchen else None),
            "grade_reply": ({"text": replies[b.id].text, "received_on": replies[b.id].received_on}
                            if b.id in replies else None),
            "staff": {key: getattr(b, key) for key in STAFF_FIELDS},
            "demo": bool(b.is_demo), "updated_at": b.updated_at,
        })
    return out


def business_page(session: Session, jurisdiction: str, q: p.BusinessParams,
                  today: date) -> tuple[int, list[dict]]:
    total, businesses = registry.search(session, jurisdiction, BusinessFilter.of(q),
                                        limit=q.limit, offset=q.offset)
    return total, business_records(session, businesses, today)


def business_one(session: Session, jurisdiction: str, business_id: int, today: date) -> dict | None:
    found = registry.business_in(session, jurisdiction, business_id)
    return business_records(session, [found], today)[0] if found else None


def business_modified(session: Session) -> datetime | None:
    return latest(session, Business.updated_at, Inspection.created_at, KitchenDisplay.updated_at)


# -- lists ------------------------------------------------------------------------------

def list_page(session: Session, jurisdiction: str, q: p.ListParams,
              today: date) -> tuple[int, list[dict]]:
    query = active_query(jurisdiction, today, q.kind, q.q)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    entries = session.scalars(query.limit(q.limit).offset(q.offset))
    return total, [{
        "id": e.id, "kind": e.kind, "business_id": e.business_id,
        "business_name": e.business_name, "credit_code": e.credit_code, "reason": e.reason,
        "decision_no": e.decision_no, "authority": e.authority, "listed_on": e.listed_on,
        "early_removal_from": e.early_removal_from, "ends_on": e.ends_on, "demo": bool(e.is_demo),
    } for e in entries]


def list_modified(session: Session) -> datetime | None:
    return latest(session, ListEntry.updated_at)


# -- 你点我检 rounds ----------------------------------------------------------------------

def round_record(session: Session, round_: Round, today: date) -> dict:
    tallies = rounds.tallies(session, round_.id)
    links: dict[int, list[int]] = {}
    for candidate_id, batch_id in session.execute(
            select(CandidateBatch.candidate_id, CandidateBatch.batch_id)
            .join(Candidate, Candidate.id == CandidateBatch.candidate_id)
            .where(Candidate.round_id == round_.id).order_by(CandidateBatch.batch_id)):
        links.setdefault(candidate_id, []).append(batch_id)
    by_citizen = dict(session.execute(select(Candidate.id, Candidate.by_citizen)
                                      .where(Candidate.round_id == round_.id)).all())
    votes, voters = rounds.voters(session, round_.id)
    return {
        "id": round_.id, "title": round_.title, "phase": phases.phase(round_, today),
        "proposal_from": round_.proposal_from, "proposal_to": round_.proposal_to,
        "vote_from": round_.vote_from, "vote_to": round_.vote_to,
        "results_due": round_.results_due, "sample_count": round_.sample_count,
        "votes": votes, "voters": voters,
        "plan_note": round_.plan_note if round_.plan_fixed_at else None,
        "result_summary": round_.result_summary if round_.published_at else None,
        "published_at": round_.published_at,
        "candidates": [{"id": t.candidate_id, "food": t.food, "place": t.place,
                        "by_citizen": bool(by_citizen.get(t.candidate_id)), "votes": t.votes,
                        "selected": bool(t.selected) and round_.plan_fixed_at is not None,
                        "batch_ids": links.get(t.candidate_id, [])} for t in tallies],
        "demo": bool(round_.is_demo),
    }


def round_page(session: Session, q: p.RoundParams, today: date) -> tuple[int, list[dict]]:
    # Rounds are few (a handful a year): the phase is computed per round, in Python.
    chosen = [r for r in rounds.rounds(session)
              if not q.phase or phases.phase(r, today) == q.phase]
    page = chosen[q.offset:q.offset + q.limit]
    return len(chosen), [round_record(session, r, today) for r in page]


def round_one(session: Session, round_id: int, today: date) -> dict | None:
    found = session.get(Round, round_id)
    return round_record(session, found, today) if found else None


def round_modified(session: Session) -> datetime | None:
    """Phases follow the calendar: the answer may change at local midnight with no write."""
    from portal.timeutil import local_midnight_utc, local_today

    changed = latest(session, Round.created_at, Round.plan_fixed_at, Round.published_at,
                     Candidate.created_at, Vote.at, CandidateBatch.linked_at)
    if changed is None:
        return None
    return max(changed, local_midnight_utc(local_today()))


# -- complaints: statistics and Open311-style cases --------------------------------------

def complaint_stats_record(session: Session, q: p.StatsParams) -> dict:
    figures = complaint_stats.figures(session, q.date_from, q.date_to, groups=(q.by,))
    s, rows = figures.summary, figures.rows[q.by]
    names = district_names(session)
    labels = {"district": lambda k: names.get(k or "", "未知区县"),
              "kind": lambda k: {"complaint": "投诉", "report": "举报"}.get(k, k),
              }.get(q.by, lambda k: k)
    return {
        "date_from": q.date_from, "date_to": q.date_to, "received": s.received,
        "accepted": s.accepted, "finished": s.finished, "finish_rate": s.finish_rate,
        "on_time_rate": s.on_time_rate, "satisfaction": s.satisfaction,
        "follow_up_answered": s.answered, "follow_up_resolved_rate": s.resolved_rate,
        "follow_up_partly_rate": s.partly_rate, "follow_up_unresolved_rate": s.unresolved_rate,
        "median_working_days": s.median_working_days, "by": q.by,
        "rows": [row | {"key": str(row["key"] or ""), "label": labels(row["key"]) or ""}
                 for row in rows],
        "demo": s.demo,
    }


def services() -> list[dict]:
    return [{"service_code": code, "service_name": name, "service_name_en": english}
            for name, (code, english) in complaint_rules.category_codes().items()]


def request_page(session: Session, q: p.RequestParams, agency: str) -> tuple[int, list[dict]]:
    """Cases the bureau has on record (merged duplicates and unread submissions are left
    out). The business is named only once the case is finished, as on 办理公开."""
    codes = complaint_rules.category_codes()
    by_code = {code: name for name, (code, _) in codes.items()}
    query = select(Complaint.id, Complaint.kind, Complaint.category, Complaint.status,
                   Complaint.received_at, Complaint.updated_at, Complaint.due_on,
                   Complaint.finished_on, Complaint.district_adcode, Complaint.business_name,
                   Complaint.outcome, Complaint.on_time, Complaint.is_demo) \
        .where(Complaint.merged_into_id.is_(None), Complaint.status != SUBMITTED)
    if q.status == "open":
        query = query.where(Complaint.status.not_in(FINISHED_STATUSES))
    elif q.status == "closed":
        query = query.where(Complaint.status.in_(FINISHED_STATUSES))
    if q.service_code:
        query = query.where(Complaint.category == by_code[q.service_code])  # checked in params
    if q.district:
        query = query.where(Complaint.district_adcode == q.district)
    if q.date_from:
        query = query.where(Complaint.received_on >= q.date_from)
    if q.date_to:
        query = query.where(Complaint.received_on <= q.date_to)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Complaint.received_at.desc(), Complaint.id.desc())
                           .limit(q.limit).offset(q.offset)).all()
    names = district_names(session)
    out = []
    for (id_, kind, category, status, received_at, updated_at, due_on, finished_on, district,
         business_name, outcome, on_time, demo) in rows:
        closed = status in FINISHED_STATUSES
        code, english = codes.get(category, ("other", "Other"))
        out.append({
            "service_request_id": f"FS{id_}", "service_code": code, "service_name": category,
            "service_name_en": english, "kind": kind, "status": "closed" if closed else "open",
            "status_notes": STATUS_LABELS.get(status, status), "agency_responsible": agency,
            "requested_datetime": received_at, "updated_datetime": updated_at,
            "expected_datetime": None if closed else due_on, "closed_date": finished_on,
            "district_adcode": district, "district_name": names.get(district or ""),
            "business_name": business_name if closed else None,
            "outcome": outcome if closed else None, "on_time": on_time if closed else None,
            "demo": bool(demo),
        })
    return total, out


def complaint_modified(session: Session) -> datetime | None:
    return latest(session, Complaint.updated_at)
