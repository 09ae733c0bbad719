"""The legal clock of a case: the rule set in force on the day it was received
(portal.complaints.rules) counted in working days on the official calendar (portal.workdays).
Deadlines are stored on the case (for sorting in SQL); an admin's holiday arrangement or rule
correction recomputes those of open cases here."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.complaints import rules
from portal.complaints.models import COMPLAINT, OPEN_STATUSES, Complaint
from portal.meta import set_meta
from portal.validation import InputError, checked, Message, clean_text
from portal.workdays import HOLIDAY, MAKEUP_WORKDAY, Deadline, HolidayDay, HolidayRow, WorkCalendar, load_calendar


def first_deadline(session: Session, kind: str, received_on: date):
    sets = rules.rule_sets(session)
    rule_set = rules.rule_set_for(received_on, sets)
    calendar = load_calendar(session)
    if kind == COMPLAINT:
        return rule_set, "accept", calendar.add_working_days(received_on, rule_set.accept_days)
    return rule_set, "decide", calendar.add_working_days(received_on, rule_set.decide_days)


def due_for(case: Complaint, calendar: WorkCalendar, sets) -> Deadline | None:
    rule_set = rules.rule_set_by_id(case.rule_set, sets)
    if case.due_kind == "accept":
        return calendar.add_working_days(case.received_on, rule_set.accept_days)
    if case.due_kind == "close" and case.accepted_on:
        return calendar.add_working_days(case.accepted_on, rule_set.close_days)
    if case.due_kind == "reopen" and case.reopened_on:
        # Reopened by the complainant's "没有解决": a new handling period from that day.
        return calendar.add_working_days(case.reopened_on, rule_set.close_days)
    if case.due_kind == "decide":
        days = rule_set.decide_days + (rule_set.extension_days if case.extended else 0)
        return calendar.add_working_days(case.received_on, days)
    return None


def recompute_open_deadlines(session: Session) -> int:
    """After a holiday arrangement or rule change: open cases get their exact deadline."""
    calendar, sets, changed = load_calendar(session), rules.rule_sets(session), 0
    for case in session.scalars(select(Complaint).where(Complaint.status.in_(OPEN_STATUSES))):
        due = due_for(case, calendar, sets)
        if due and (due.day, due.provisional) != (case.due_on, case.due_provisional):
            case.due_on, case.due_provisional = due.day, due.provisional
            changed += 1
    return changed


def enter_year(session: Session, actor: Actor, rows: list[HolidayRow], source: str) -> dict:
    """Replace the arrangement of the one year the rows cover; recompute open deadlines."""
    authorize(actor, "holidays_enter")
    years = {r.day.year for r in rows}
    if len(years) != 1:
        raise InputError({"rows": Message("一次只能登记一个年度的安排（文件里有 {years}）",
                                            years="、".join(map(str, sorted(years))))})
    year = years.pop()
    source = checked("source", clean_text, source, "来源", min_len=4, max_len=300)
    holidays = sum(r.kind == HOLIDAY for r in rows)
    if holidays < 7:
        raise InputError({"rows": Message(
            "{year} 年只有 {holidays} 天放假，不像完整的全年安排；请核对通知后一次登记全年",
            year=year, holidays=holidays)})
    session.execute(delete(HolidayDay).where(HolidayDay.year == year))
    session.add_all(HolidayDay(day=r.day, year=year, kind=r.kind, name=r.name, source=source,
                               entered_by=actor.username) for r in rows)
    session.flush()
    updated = recompute_open_deadlines(session)
    summary = {"year": year, "holidays": holidays,
               "makeup_workdays": sum(r.kind == MAKEUP_WORKDAY for r in rows),
               "deadlines_recomputed": updated}
    audit.record(session, actor, "holidays_enter", object_type="holiday_year", object_id=year,
                 detail={**summary, "source": source})
    return summary


def set_rule_numbers(session: Session, actor: Actor, rule_id: str, numbers: dict[str, int]) -> int:
    """An admin's correction of one rule set's day counts (e.g. once Order No. 121 is
    checked); audited, and open deadlines are recomputed. Returns cases updated."""
    authorize(actor, "complaint_rules_update")
    if rule_id not in {r.id for r in rules.rule_sets()}:
        raise InputError({"rule": Message("未知的规则")})
    allowed = {f"{k}.{f}" for k, f, _ in rules.NUMBER_FIELDS}
    clean: dict[str, int] = {}
    for key, value in numbers.items():
        if key not in allowed:
            raise InputError({"rule": Message("未知的期限项目：{key}", key=key)})
        if not isinstance(value, int) or not 1 <= value <= 365:
            raise InputError({key: Message("期限应为 1 到 365 之间的整数（工作日）")})
        clean[key] = value
    overrides = rules.load_overrides(session)
    before = overrides.get(rule_id, {})
    overrides[rule_id] = clean
    set_meta(session, rules.OVERRIDE_KEY, json.dumps(overrides, sort_keys=True))
    session.flush()
    updated = recompute_open_deadlines(session)
    audit.record(session, actor, "complaint_rules_update", object_type="rule_set",
                 object_id=rule_id, detail={"before": before, "after": clean,
                                            "deadlines_recomputed": updated})
    return updated
