"""What handlers do: the queue ordered by the legal clock, and every action on a case, each
audited. The deadlines themselves are computed in portal.complaints.deadlines."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal import personal
from portal.complaints import rules
from portal.notices import events as notice_events
from portal.complaints.deadlines import due_for
from portal.complaints.models import (ACCEPTED, CLOSED, COMPLAINT, HANDLING_STATUSES, IN_PROGRESS, KIND_LABELS,
                                      OPEN_STATUSES, PRIORITY_LABELS, REFUSED, REPORT,
                                      STATUS_LABELS, SUBMITTED, Complaint, ComplaintEvent)
from portal.registry.models import Business, District
from portal.timeutil import local_today, utcnow
from portal.validation import CleanText, InputError, checked, Message, clean_text, parse
from portal.workdays import load_calendar

DUE_KIND_LABELS = {"accept": "受理决定", "close": "办结", "decide": "立案决定", "reopen": "重新办理"}


# --- the queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    complaint_id: int
    tracking_no: str
    kind: str
    category: str
    business_name: str
    district_adcode: str | None
    received_on: date
    status: str
    due_kind: str | None
    due_on: date | None
    due_provisional: bool
    working_days_left: int | None     # negative: overdue by that many working days
    supporters: int
    awaiting_citizen: bool
    assigned_unit: str | None
    priority: str = "normal"

    @property
    def urgency(self) -> str:
        """A word, never colour alone (UX.md)."""
        left = self.working_days_left
        if left is None:
            return "—"
        if left < 0:
            return "已逾期"
        if left == 0:
            return "今天到期"
        if left <= 2:
            return "紧急"
        if left <= 5:
            return "临近"
        return "正常"


@dataclass(frozen=True)
class QueueFilter:
    status: str = "open"            # open / overdue / finished / all / one of the statuses
    kind: str | None = None
    district_adcode: str | None = None
    category: str | None = None
    unit: str | None = None
    tracking_no: str | None = None
    priority: str | None = None     # normal / urgent


STATUS_FILTERS = {"open": "未办结", "overdue": "已逾期", "submitted": "待受理",
                  "in_progress": "处理中", "reopened": "重新办理", "finished": "已办结", "all": "全部"}
FILTER_PARAMS = ("status", "kind", "district", "category", "unit", "priority", "q")


def filter_from_params(params, *, districts: list[str], units: list[str]) -> QueueFilter:
    """The queue's filters from a (shared or reloaded) address; a value not on its list is
    dropped, never an error."""
    def pick(key: str, allowed) -> str | None:
        value = str(params.get(key, ""))
        return value if value in allowed else None

    number = str(params.get("q", "")).strip()[:24]
    return QueueFilter(status=pick("status", STATUS_FILTERS) or "open", kind=pick("kind", KIND_LABELS),
                       district_adcode=pick("district", districts),
                       category=pick("category", rules.categories()), unit=pick("unit", units),
                       priority=pick("priority", PRIORITY_LABELS),
                       tracking_no=number if number.isprintable() and number else None)


def filter_params(flt: QueueFilter) -> dict[str, str]:
    """The address parameters that give back `flt` (defaults left out)."""
    values = {"status": None if flt.status == "open" else flt.status, "kind": flt.kind,
              "district": flt.district_adcode, "category": flt.category, "unit": flt.unit,
              "priority": flt.priority, "q": flt.tracking_no}
    return {key: value for key, value in values.items() if value}


def queue(session: Session, flt: QueueFilter, today: date | None = None,
          limit: int = 200) -> tuple[int, list[QueueRow]]:
    """(total matching, the most urgent rows): earliest legal deadline first, so overdue cases
    lead; finished cases newest first."""
    today = today or local_today()
    query = select(Complaint).where(Complaint.merged_into_id.is_(None))
    if flt.status in ("open", "overdue"):
        query = query.where(Complaint.status.in_(OPEN_STATUSES))
        if flt.status == "overdue":
            query = query.where(Complaint.due_on < today)
    elif flt.status == "finished":
        query = query.where(Complaint.status.in_((REFUSED, CLOSED)))
    elif flt.status in STATUS_LABELS:
        query = query.where(Complaint.status == flt.status)
    if flt.kind:
        query = query.where(Complaint.kind == flt.kind)
    if flt.district_adcode:
        query = query.where(Complaint.district_adcode == flt.district_adcode)
    if flt.category:
        query = query.where(Complaint.category == flt.category)
    if flt.unit:
        query = query.where(Complaint.assigned_unit == flt.unit)
    if flt.priority:
        query = query.where(Complaint.priority == flt.priority)
    if flt.tracking_no:
        query = query.where(Complaint.tracking_no == personal.normalise_code(flt.tracking_no))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if flt.status in ("finished",) or flt.status in (REFUSED, CLOSED):
        query = query.order_by(Complaint.finished_on.desc(), Complaint.id.desc())
    else:
        query = query.order_by(Complaint.status.in_(OPEN_STATUSES).desc(),
                               Complaint.due_on.asc(), Complaint.id)
    calendar = load_calendar(session)
    rows = []
    for c in session.scalars(query.limit(limit)):
        left = None
        if c.status in OPEN_STATUSES and c.due_on:
            left = calendar.working_days_between(today, c.due_on)
        rows.append(QueueRow(c.id, c.tracking_no, c.kind, c.category, c.business_name,
                             c.district_adcode, c.received_on, c.status, c.due_kind, c.due_on,
                             c.due_provisional, left, c.supporters, c.awaiting_citizen,
                             c.assigned_unit, c.priority))
    return total, rows


def clock_summary(session: Session, today: date | None = None) -> dict[str, int]:
    """Counts for the handler's headline: open, overdue, due within five days, new."""
    today = today or local_today()
    open_cases = select(Complaint.due_on, Complaint.status).where(
        Complaint.status.in_(OPEN_STATUSES), Complaint.merged_into_id.is_(None))
    rows = session.execute(open_cases).all()
    calendar = load_calendar(session)
    overdue = sum(1 for due, _ in rows if due and due < today)
    soon = sum(1 for due, _ in rows if due and due >= today and
               calendar.working_days_between(today, due) <= 5)
    return {"open": len(rows), "overdue": overdue, "due_soon": soon,
            "new": sum(1 for _, status in rows if status == SUBMITTED)}


# --- actions ------------------------------------------------------------------------------


def district_unit(district_name: str) -> str:
    return f"{district_name}市场监督管理局"


def units(district_names: list[str]) -> list[str]:
    """The units a case can be assigned to: one per district, and the city's own teams."""
    return [district_unit(name) for name in district_names] + \
        ["市局执法稽查支队", "市局食品经营安全监督管理科", "市消费者权益保护科"]


def suggested_unit(session: Session, case: Complaint) -> str | None:
    """The district's own bureau for the case's district (or, failing that, the registered
    business's district): a 慈利县 shop is suggested to 慈利县市场监督管理局."""
    adcode = case.district_adcode
    if not adcode and case.business_id:
        adcode = session.scalar(select(Business.district_adcode)
                                .where(Business.id == case.business_id))
    name = session.scalar(select(District.name).where(District.adcode == adcode)) if adcode else None
    return district_unit(name) if name else None


@dataclass(frozen=True)
class RelatedCase:
    complaint_id: int
    tracking_no: str
    kind: str
    category: str
    status: str
    received_on: date


def other_open_cases(session: Session, case: Complaint, limit: int = 20) -> list[RelatedCase]:
    """Other unfinished, unmerged cases on the same business: the registered business when the
    case names one, else the same typed name in the same district."""
    if case.business_id:
        same = Complaint.business_id == case.business_id
    else:
        same = (Complaint.business_id.is_(None) & (Complaint.business_name == case.business_name)
                & (Complaint.district_adcode == case.district_adcode))
    query = (select(Complaint).where(same, Complaint.id != case.id,
                                     Complaint.status.in_(OPEN_STATUSES),
                                     Complaint.merged_into_id.is_(None))
             .order_by(Complaint.received_on.desc(), Complaint.id.desc()).limit(limit))
    return [RelatedCase(c.id, c.tracking_no, c.kind, c.category, c.status, c.received_on)
            for c in session.scalars(query)]


def _case(session: Session, actor: Actor, action: str, complaint_id: int, *,
          statuses=OPEN_STATUSES) -> Complaint:
    """The case `actor` runs `action` on, locked, once authorized and in a fitting state."""
    authorize(actor, action)
    case = session.get(Complaint, complaint_id, with_for_update=True)
    if case is None:
        raise InputError({"case": Message("找不到这件投诉举报")})
    if case.status not in statuses:
        raise InputError({"case": Message(
            "这件{kind}当前状态为“{status}”，不能执行此操作",
            kind=KIND_LABELS[case.kind], status=STATUS_LABELS[case.status])})
    if case.merged_into_id is not None:
        raise InputError({"case": Message("这件已合并到另一件中办理，请在主件上操作")})
    return case


# Public steps the complainant is mailed about, when they asked to be at filing.
NOTICE_KINDS = ("accepted", "refused", "in_progress", "request_info", "reply", "closed")


def _event(session, case, actor, kind, text, public):
    session.add(ComplaintEvent(complaint_id=case.id, kind=kind, text=text, public=public,
                               actor_name=actor.username, at=utcnow(), is_demo=case.is_demo))
    case.updated_at = utcnow()
    if public and kind in NOTICE_KINDS:
        notice_events.complaint_status(session, case.id, kind)


def _audit(session, actor, action, case, **detail):
    audit.record(session, actor, action, object_type="complaint", object_id=case.id,
                 detail={"tracking_no": case.tracking_no, **detail})


def _text(value, label, *, min_len=2, max_len=2000):
    return checked("text", clean_text, value, label, min_len=min_len, max_len=max_len, multiline=True)


def _finish(session: Session, case: Complaint, status: str, today: date) -> None:
    calendar = load_calendar(session)
    case.status, case.finished_on = status, today
    case.finished_working_days = calendar.working_days_between(case.received_on, today)
    case.on_time = case.due_on is None or today <= case.due_on
    case.awaiting_citizen = False


def accept(session: Session, actor: Actor, complaint_id: int, unit: str | None = None,
           today: date | None = None) -> Complaint:
    case = _case(session, actor, "complaint_accept", complaint_id, statuses=(SUBMITTED,))
    today = today or local_today()
    case.status, case.accepted_on = ACCEPTED, today
    if case.kind == COMPLAINT:
        # The 7-day clock is met; the 45-day mediation clock starts from acceptance.
        case.on_time = None
        case.due_kind = "close"
        due = due_for(case, load_calendar(session), rules.rule_sets(session))
        case.due_on, case.due_provisional = due.day, due.provisional
    _event(session, case, actor, "accepted", "已受理，正在安排处理。", True)
    _audit(session, actor, "complaint_accept", case)
    if unit:
        assign(session, actor, complaint_id, unit)
    return case


def refuse(session: Session, actor: Actor, complaint_id: int, ground: str, explanation: str = "",
           today: date | None = None) -> Complaint:
    case = _case(session, actor, "complaint_refuse", complaint_id, statuses=(SUBMITTED,))
    if ground not in rules.refusal_grounds():
        raise InputError({"ground": Message("请从法定的不予受理情形中选择")})
    explanation = _text(explanation, "说明", min_len=0, max_len=1000)
    case.refusal_reason = ground
    case.reply = explanation or None
    _finish(session, case, REFUSED, today or local_today())
    _event(session, case, actor, "refused",
           f"不予受理。理由：{ground}。" + (f"\n{explanation}" if explanation else ""), True)
    _audit(session, actor, "complaint_refuse", case, ground=ground)
    return case


def assign(session: Session, actor: Actor, complaint_id: int, unit: str) -> Complaint:
    case = _case(session, actor, "complaint_assign", complaint_id, statuses=HANDLING_STATUSES)
    unit = _text(unit, "承办单位", max_len=100)
    before = case.assigned_unit
    case.assigned_unit = unit
    _event(session, case, actor, "assigned", f"交办：{unit}", False)
    if case.status == ACCEPTED:
        case.status = IN_PROGRESS
        _event(session, case, actor, "in_progress", "已交承办单位核查处理。", True)
    _audit(session, actor, "complaint_assign", case, before=before, after=unit)
    return case


def add_note(session: Session, actor: Actor, complaint_id: int, text: str) -> None:
    case = _case(session, actor, "complaint_note", complaint_id, statuses=tuple(STATUS_LABELS))
    _event(session, case, actor, "note", _text(text, "内部备注", max_len=2000), False)
    _audit(session, actor, "complaint_note", case)


def request_information(session: Session, actor: Actor, complaint_id: int, question: str) -> None:
    case = _case(session, actor, "complaint_request_info", complaint_id)
    _event(session, case, actor, "request_info", _text(question, "需要补充的内容", min_len=5), True)
    case.awaiting_citizen = True
    _audit(session, actor, "complaint_request_info", case)


def reply(session: Session, actor: Actor, complaint_id: int, text: str) -> None:
    """An interim reply to the citizen; the case stays open."""
    case = _case(session, actor, "complaint_reply", complaint_id, statuses=HANDLING_STATUSES)
    _event(session, case, actor, "reply", _text(text, "答复内容", min_len=5), True)
    _audit(session, actor, "complaint_reply", case)


# Free-text fields of the forms below (checked by clean_text).
ReplyText = CleanText("办结答复", min_len=10, max_len=2000, multiline=True)


class CloseForm(BaseModel):
    outcome: str
    reply: ReplyText


def close(session: Session, actor: Actor, complaint_id: int, outcome: str, reply_text: str,
          today: date | None = None) -> Complaint:
    case = _case(session, actor, "complaint_close", complaint_id, statuses=HANDLING_STATUSES)
    form = parse(CloseForm, {"outcome": outcome, "reply": reply_text})
    if form.outcome not in rules.outcomes(case.kind):
        raise InputError({"outcome": Message("请从{kind}的办理结果中选择", kind=KIND_LABELS[case.kind])})
    today = today or local_today()
    for target in [case, *session.scalars(select(Complaint).where(
            Complaint.merged_into_id == case.id, Complaint.status.in_(OPEN_STATUSES)))]:
        target.outcome, target.reply = form.outcome, form.reply
        _finish(session, target, CLOSED, today)
        _event(session, target, actor, "closed", f"已办结。办理结果：{form.outcome}。\n{form.reply}", True)
        _audit(session, actor, "complaint_close", target, outcome=form.outcome,
               merged_into=None if target is case else case.id)
    return case


def extend(session: Session, actor: Actor, complaint_id: int, reason: str) -> Complaint:
    """Reports only, once: the 立案 decision may be extended (with approval) by the rule's days."""
    case = _case(session, actor, "complaint_extend", complaint_id)
    if case.kind != REPORT:
        raise InputError({"case": Message("只有举报的立案决定期限可以延长")})
    if case.extended:
        raise InputError({"case": Message("期限已经延长过一次")})
    reason = _text(reason, "延长理由", min_len=5, max_len=500)
    case.extended = True
    if case.due_kind == "decide":
        due = due_for(case, load_calendar(session), rules.rule_sets(session))
        case.due_on, case.due_provisional = due.day, due.provisional
    _event(session, case, actor, "extended", f"经批准延长办理期限：{reason}", False)
    _event(session, case, actor, "extended_public", "因情况复杂，经批准依法延长办理期限。", True)
    _audit(session, actor, "complaint_extend", case, reason=reason, due_on=str(case.due_on))
    return case


def merge(session: Session, actor: Actor, complaint_id: int, into_tracking_no: str) -> Complaint:
    case = _case(session, actor, "complaint_merge", complaint_id)
    number = personal.normalise_code(into_tracking_no)
    target = session.scalar(select(Complaint).where(Complaint.tracking_no == number))
    if target is None or target.id == case.id:
        raise InputError({"into": Message("请填写另一件未办结案件的编号")})
    if target.status not in OPEN_STATUSES or target.merged_into_id is not None:
        raise InputError({"into": Message("只能合并到一件未办结、且本身未被合并的案件")})
    if session.scalar(select(func.count()).where(Complaint.merged_into_id == case.id)):
        raise InputError({"case": Message("这件已有其他案件并入，请把它作为主件，或先合并到它")})
    case.merged_into_id = target.id
    target.supporters += 1 + case.supporters
    _event(session, case, actor, "merged", f"并入 {target.tracking_no}", False)
    _event(session, case, actor, "merged_public", "您反映的问题与其他群众反映的同一问题合并办理，办结时一并答复您。", True)
    _event(session, target, actor, "merged_in", f"并入 {case.tracking_no}", False)
    _audit(session, actor, "complaint_merge", case, into=target.tracking_no)
    return case


def reveal_contact(session: Session, actor: Actor, complaint_id: int, secret: str,
                   reason: str) -> tuple[str | None, str | None]:
    """(name, full mobile) of the citizen, for a handler who needs them: always audited."""
    authorize(actor, "complaint_reveal_contact")
    case = session.get(Complaint, complaint_id)
    if case is None:
        raise InputError({"case": Message("找不到这件投诉举报")})
    reason = _text(reason, "查看理由", min_len=2, max_len=200)
    _audit(session, actor, "complaint_reveal_contact", case, reason=reason)
    return personal.decrypt(secret, case.contact_name_enc), personal.decrypt(secret, case.phone_enc)



def set_priority(session: Session, actor: Actor, complaint_id: int, priority: str) -> Complaint:
    if priority not in PRIORITY_LABELS:
        raise InputError({"priority": Message("请选择“普通”或“紧急”")})
    case = _case(session, actor, "complaint_priority", complaint_id)
    before = case.priority
    if before != priority:
        case.priority = priority
        _event(session, case, actor, "priority", f"优先级：{PRIORITY_LABELS[priority]}", False)
        _audit(session, actor, "complaint_priority", case, priority=priority,
               previous_priority=before)
    return case


MAX_BULK = 200


def bulk_assign(session: Session, actor: Actor, complaint_ids: list[int], unit: str) -> list[str]:
    """Assign several cases to one unit in one transaction, one audit row per case. All or
    none: a case that cannot be assigned (not yet accepted, finished, merged) stops the whole
    batch with its tracking number, so the handler can take it out and try again."""
    try:
        ids = list(dict.fromkeys(int(i) for i in complaint_ids))
    except (TypeError, ValueError):
        raise InputError({"case": Message("所选案件无效，请刷新后重选")}) from None
    if not ids:
        raise InputError({"case": Message("请先在表格中选择要交办的案件")})
    if len(ids) > MAX_BULK:
        raise InputError({"case": Message("一次最多交办 {n} 件", n=MAX_BULK)})
    unit = _text(unit, "承办单位", max_len=100)
    authorize(actor, "complaint_assign")
    cases = session.scalars(select(Complaint).where(Complaint.id.in_(ids))
                            .order_by(Complaint.id).with_for_update()).all()
    if len(cases) != len(ids):
        raise InputError({"case": Message("所选案件中有找不到的，请刷新后重选")})
    blocked = [c.tracking_no for c in cases
               if c.status not in HANDLING_STATUSES or c.merged_into_id is not None]
    if blocked:
        raise InputError({"case": Message(
            "以下案件尚未受理、已办结或已并入其他案件，不能交办：{cases}。请取消选择这些案件后重试",
            cases="、".join(blocked))})
    for case in cases:
        assign(session, actor, case.id, unit)
    return [c.tracking_no for c in cases]
