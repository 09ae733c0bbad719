"""Entering a year's holiday arrangement (State Council notice) as data: from a page or
`python -m portal holidays import FILE`. A year is replaced as a whole, and the deadlines of
open cases are recomputed, since provisional ones may now be exact."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.actions import PermissionDenied
from portal.accounts.rules import Actor
from portal.complaints.models import HolidayDay
from portal.complaints.workdays import HOLIDAY, MAKEUP_WORKDAY
from portal.tables import TableError, clean_cell, parse_date, read_table
from portal.validation import InputError, clean_text

KIND_WORDS = {"holiday": HOLIDAY, "休": HOLIDAY, "放假": HOLIDAY, "休息": HOLIDAY, "假": HOLIDAY,
              "节假日": HOLIDAY, "makeup_workday": MAKEUP_WORKDAY, "班": MAKEUP_WORKDAY,
              "上班": MAKEUP_WORKDAY, "调休上班": MAKEUP_WORKDAY, "补班": MAKEUP_WORKDAY,
              "workday": MAKEUP_WORKDAY}
DATE_HEADERS = ("date", "日期")
KIND_HEADERS = ("kind", "类型", "安排")
NAME_HEADERS = ("holiday_zh", "name", "节日", "名称", "节假日名称")


@dataclass(frozen=True)
class HolidayRow:
    day: date
    kind: str
    name: str | None


def parse_rows(rows: list[list[object]]) -> list[HolidayRow]:
    """Rows of cells with a header naming 日期/date and 类型/kind (休 or 班); every problem
    is reported with its line number, and nothing is taken when there is one."""
    if not rows:
        raise InputError({"file": "文件里没有内容"})
    header = [(clean_cell(c) or "").strip().lower() for c in rows[0]]

    def find(names):
        return next((i for i, h in enumerate(header) if h in names), None)

    i_date, i_kind, i_name = find(DATE_HEADERS), find(KIND_HEADERS), find(NAME_HEADERS)
    if i_date is None or i_kind is None:
        raise InputError({"file": "第一行应是表头，至少包含“日期”和“类型”两列（类型填“休”或“班”）"})
    out: dict[date, HolidayRow] = {}
    problems: list[str] = []
    for n, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (len(header) - len(row))
        if all(clean_cell(c) is None for c in cells):
            continue
        day = parse_date(cells[i_date])
        kind = KIND_WORDS.get((clean_cell(cells[i_kind]) or "").strip().lower())
        name = clean_cell(cells[i_name]) if i_name is not None else None
        if day is None:
            problems.append(f"第 {n} 行：日期无法识别（请写成 2027-01-01）")
            continue
        if kind is None:
            problems.append(f"第 {n} 行：类型应为“休”（放假）或“班”（调休上班）")
            continue
        if kind == MAKEUP_WORKDAY and day.weekday() < 5:
            problems.append(f"第 {n} 行：{day.isoformat()} 是工作日，不需要登记为调休上班")
            continue
        if day in out and out[day].kind != kind:
            problems.append(f"第 {n} 行：{day.isoformat()} 重复且类型不一致")
            continue
        out[day] = HolidayRow(day, kind, (name or "")[:40] or None)
    if problems:
        raise InputError({"rows": "；".join(problems[:20]) + ("……" if len(problems) > 20 else "")})
    if not out:
        raise InputError({"file": "文件里没有日期行"})
    return sorted(out.values(), key=lambda r: r.day)


def read_file(data: bytes, filename: str) -> list[HolidayRow]:
    try:
        return parse_rows(read_table(data, filename))
    except TableError as exc:
        raise InputError({"file": str(exc)}) from None


def enter_year(session: Session, actor: Actor, rows: list[HolidayRow], source: str) -> dict:
    """Replace the arrangement of the one year the rows cover; recompute open deadlines."""
    if not actor.may("admin"):
        raise PermissionDenied("需要“系统管理员”角色才能登记节假日安排")
    years = {r.day.year for r in rows}
    if len(years) != 1:
        raise InputError({"rows": f"一次只能登记一个年度的安排（文件里有 {'、'.join(map(str, sorted(years)))}）"})
    year = years.pop()
    try:
        source = clean_text(source, "来源", min_len=4, max_len=300)
    except ValueError as exc:
        raise InputError({"source": str(exc)}) from None
    holidays = sum(r.kind == HOLIDAY for r in rows)
    if holidays < 7:
        raise InputError({"rows": f"{year} 年只有 {holidays} 天放假，不像完整的全年安排；请核对通知后一次登记全年"})
    session.execute(delete(HolidayDay).where(HolidayDay.year == year))
    session.add_all(HolidayDay(day=r.day, year=year, kind=r.kind, name=r.name, source=source,
                               entered_by=actor.username) for r in rows)
    session.flush()
    from portal.complaints.handling import recompute_open_deadlines

    updated = recompute_open_deadlines(session)
    summary = {"year": year, "holidays": holidays,
               "makeup_workdays": sum(r.kind == MAKEUP_WORKDAY for r in rows),
               "deadlines_recomputed": updated}
    audit.record(session, actor, "holidays_enter", object_type="holiday_year", object_id=year,
                 detail={**summary, "source": source})
    return summary


def entered_years(session: Session) -> list[tuple[int, int, int, str]]:
    """(year, holidays, make-up workdays, source) for each year an admin entered."""
    rows = session.execute(select(HolidayDay.year, HolidayDay.kind, HolidayDay.source)).all()
    years: dict[int, list] = {}
    for year, kind, source in rows:
        entry = years.setdefault(year, [year, 0, 0, source or ""])
        entry[1 if kind == HOLIDAY else 2] += 1
    return [tuple(v) for _, v in sorted(years.items())]


def set_rule_numbers(session: Session, actor: Actor, rule_id: str, numbers: dict[str, int]) -> int:
    """An admin's correction of one rule set's day counts (e.g. once Order No. 121 is
    checked); audited, and open deadlines are recomputed. Returns cases updated."""
    import json

    from portal.complaints import rules
    from portal.meta import set_meta

    if not actor.may("admin"):
        raise PermissionDenied("需要“系统管理员”角色才能修改办理时限")
    if rule_id not in {r.id for r in rules.rule_sets()}:
        raise InputError({"rule": "未知的规则"})
    allowed = {f"{k}.{f}" for k, f, _ in rules.NUMBER_FIELDS}
    clean: dict[str, int] = {}
    for key, value in numbers.items():
        if key not in allowed:
            raise InputError({"rule": f"未知的期限项目：{key}"})
        if not isinstance(value, int) or not 1 <= value <= 365:
            raise InputError({key: "期限应为 1 到 365 之间的整数（工作日）"})
        clean[key] = value
    overrides = rules.load_overrides(session)
    before = overrides.get(rule_id, {})
    overrides[rule_id] = clean
    set_meta(session, rules.OVERRIDE_KEY, json.dumps(overrides, sort_keys=True))
    session.flush()
    from portal.complaints.handling import recompute_open_deadlines

    updated = recompute_open_deadlines(session)
    audit.record(session, actor, "complaint_rules_update", object_type="rule_set",
                 object_id=rule_id, detail={"before": before, "after": clean,
                                            "deadlines_recomputed": updated})
    return updated
