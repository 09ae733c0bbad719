"""Public statistics of complaints and reports, and the public list of finished cases.
Nothing here carries a citizen's name, phone, photo or own words."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.complaints.models import (FINISHED_STATUSES, HANDLING_STATUSES, PARTLY, RESOLVED, UNRESOLVED, Complaint,
                                      ComplaintFollowUp)
from portal.i18n import N_

SATISFIED = ("满意", "基本满意")
GROUPS = ("category", "district", "kind", "month")

# One definition per figure, shown beside it on 办理公开 and in the API's field spec. Every
# figure counts the cases *filed* in the period (a cohort), each as it stands today: a case
# filed in December and finished in January counts as received and finished in December's
# year, so 已办结 never exceeds 收到 and the finished-case list holds exactly 已办结 cases.
DEFINITIONS = {
    "received": N_("统计期间内提交的投诉和举报件数（按提交日期，含合并办理的重复件）。"),
    "accepted": N_("收到的件数中已受理的件数。"),
    "finished": N_("收到的件数中截至今天已办结的件数（已答复或已决定不予受理），不论哪天办结。"),
    "finish_rate": N_("已办结 ÷ 收到，目标 100%。"),
    "on_time_rate": N_("已办结的件数中在法定期限内办结的比例（期限按工作日计算，节假日和调休依国务院公布的安排）。"),
    "median_working_days": N_("已办结的件数从提交到办结所用工作日数的中位数：一半的案件在这个工作日数内办结。"),
    "satisfaction": N_("已办结并经群众评价的件数中，评价为“满意”或“基本满意”的比例。"),
    "follow_up": N_("办结四周后，我们给留了邮箱的投诉人发回访问卷“问题解决了吗？”。回答了的件数中，"
                    "回答“已解决”“部分解决”“没有解决”的比例；回答“没有解决”的案件重新办理。"),
}


@dataclass(frozen=True)
class Summary:
    received: int
    accepted: int
    finished: int
    on_time: int
    rated: int
    satisfied: int
    median_working_days: float | None
    demo: bool
    # The follow-up questionnaire (portal.complaints.follow_up): answers among the period's cases.
    answered: int = 0
    resolved: int = 0
    partly: int = 0
    unresolved: int = 0

    @property
    def finish_rate(self) -> float | None:       # 办结率
        return round(100 * self.finished / self.received, 1) if self.received else None

    @property
    def on_time_rate(self) -> float | None:      # 按期办结率
        return round(100 * self.on_time / self.finished, 1) if self.finished else None

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None

    def _share(self, count: int) -> float | None:
        return round(100 * count / self.answered, 1) if self.answered else None

    @property
    def resolved_rate(self) -> float | None:     # 回访：已解决
        return self._share(self.resolved)

    @property
    def partly_rate(self) -> float | None:       # 回访：部分解决
        return self._share(self.partly)

    @property
    def unresolved_rate(self) -> float | None:   # 回访：没有解决
        return self._share(self.unresolved)


def _period(query, start: date | None, end: date | None):
    if start:
        query = query.where(Complaint.received_on >= start)
    if end:
        query = query.where(Complaint.received_on <= end)
    return query


def _counts():
    finished = Complaint.status.in_(FINISHED_STATUSES)
    return (func.count(),
            func.sum(case((Complaint.accepted_on.is_not(None), 1), else_=0)),
            func.sum(case((finished, 1), else_=0)),
            func.sum(case((finished & Complaint.on_time.is_(True), 1), else_=0)),
            func.sum(case((Complaint.rating.is_not(None), 1), else_=0)),
            func.sum(case((Complaint.rating.in_(SATISFIED), 1), else_=0)))


def summary(session: Session, start: date | None = None, end: date | None = None) -> Summary:
    row = session.execute(_period(select(*_counts(), func.max(case(
        (Complaint.is_demo.is_(True), 1), else_=0))), start, end)).one()
    received, accepted, finished, on_time, rated, satisfied, demo = (int(v or 0) for v in row)
    days = session.scalars(_period(select(Complaint.finished_working_days).where(
        Complaint.status.in_(FINISHED_STATUSES), Complaint.finished_working_days.is_not(None)),
        start, end)).all()
    median = float(statistics.median(days)) if days else None
    answers = dict(session.execute(_period(
        select(ComplaintFollowUp.answer, func.count()).join(Complaint, Complaint.id == ComplaintFollowUp.complaint_id)
        .where(ComplaintFollowUp.answer.is_not(None)), start, end).group_by(ComplaintFollowUp.answer)).all())
    return Summary(received, accepted, finished, on_time, rated, satisfied, median, bool(demo),
                   answered=sum(answers.values()), resolved=answers.get(RESOLVED, 0),
                   partly=answers.get(PARTLY, 0), unresolved=answers.get(UNRESOLVED, 0))


def breakdown(session: Session, by: str, start: date | None = None,
              end: date | None = None) -> list[dict]:
    """Counts and rates per category, district or kind (SQL GROUP BY)."""
    column = {"category": Complaint.category, "district": Complaint.district_adcode,
              "kind": Complaint.kind}[by]
    rows = session.execute(_period(select(column, *_counts()), start, end)
                           .group_by(column).order_by(func.count().desc())).all()
    return [_row(key, *values) for key, *values in rows]


def by_day(session: Session, start: date | None = None, end: date | None = None) -> list[dict]:
    """Per received day; pages sum them into months (portable across SQLite and PostgreSQL)."""
    rows = session.execute(_period(select(Complaint.received_on, *_counts()), start, end)
                           .group_by(Complaint.received_on).order_by(Complaint.received_on)).all()
    return [_row(key, *values) for key, *values in rows]


def by_month(session: Session, start: date | None = None, end: date | None = None) -> list[dict]:
    """by_day summed into months, keyed "YYYY-MM"."""
    months: dict[str, dict] = {}
    for row in by_day(session, start, end):
        key = row["key"].strftime("%Y-%m")
        total = months.setdefault(key, dict.fromkeys(row, 0) | {"key": key})
        for name, value in row.items():
            if name != "key":
                total[name] += value
    return list(months.values())


@dataclass(frozen=True)
class Figures:
    """A period's figures, computed once for 办理公开 and the API: the summary and its
    breakdowns (each breakdown's counts add up to the summary's)."""
    start: date | None
    end: date | None
    summary: Summary
    rows: dict[str, list[dict]]


def figures(session: Session, start: date | None = None, end: date | None = None,
            groups: tuple[str, ...] = GROUPS) -> Figures:
    rows = {by: by_month(session, start, end) if by == "month" else breakdown(session, by, start, end)
            for by in groups}
    return Figures(start, end, summary(session, start, end), rows)


def _row(key, received, accepted, finished, on_time, rated, satisfied) -> dict:
    return {"key": key, "received": int(received or 0), "accepted": int(accepted or 0),
            "finished": int(finished or 0), "on_time": int(on_time or 0),
            "rated": int(rated or 0), "satisfied": int(satisfied or 0)}


@dataclass(frozen=True)
class PublicCase:
    kind: str
    category: str
    business_name: str
    district_adcode: str | None
    received_on: date
    finished_on: date | None
    status: str
    outcome: str | None


PUBLIC_COLUMNS = (Complaint.kind, Complaint.category,
                  Complaint.business_name, Complaint.district_adcode, Complaint.received_on,
                  Complaint.finished_on, Complaint.status, Complaint.outcome)


def finished_cases(session: Session, *, category: str | None = None,
                   district_adcode: str | None = None, business_id: int | None = None,
                   start: date | None = None, end: date | None = None,
                   page: int = 1, per_page: int = 50) -> tuple[int, list[PublicCase]]:
    """Finished cases filed in the period, newest finish first (unfiltered, exactly the cases
    Summary.finished counts): business, category, dates and outcome only (not the tracking
    number either: it is half of what unlocks a case)."""
    query = _period(select(*PUBLIC_COLUMNS).where(Complaint.status.in_(FINISHED_STATUSES)), start, end)
    if category:
        query = query.where(Complaint.category == category)
    if district_adcode:
        query = query.where(Complaint.district_adcode == district_adcode)
    if business_id:
        query = query.where(Complaint.business_id == business_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Complaint.finished_on.desc(), Complaint.id.desc())
                           .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return total, [PublicCase(*row) for row in rows]


def business_counts(session: Session, business_id: int) -> dict[str, int]:
    """For the business page: cases received about it, and how many are finished."""
    row = session.execute(select(
        func.count(), func.sum(case((Complaint.status.in_(FINISHED_STATUSES), 1), else_=0)),
        func.sum(case((Complaint.status.in_(HANDLING_STATUSES), 1), else_=0)))
        .where(Complaint.business_id == business_id, Complaint.merged_into_id.is_(None))).one()
    return {"received": int(row[0] or 0), "finished": int(row[1] or 0), "open": int(row[2] or 0)}

