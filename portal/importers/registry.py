"""Import the business registry, rating inspections and list entries from CSV/XLSX.

`python -m portal import businesses|grades|lists FILE [--dry-run] [--json]`, with the same
report and exit codes as the sampling importer. Rows with an invalid code or value are
rejected and listed; the rest import, in one transaction.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.config import DATA_DIR
from portal.importers.headers import load_synonyms, locate_header, normalise_header
from portal.importers.sampling import ImportReport, rolled_back_if
from portal.importers.sampling_parse import RowError
from portal.lists.models import BLACK, RED, ListEntry
from portal.lists.rules import default_dates
from portal.ratings.models import Inspection
from portal.registry.codes import credit_code_problem, normalise_code
from portal.registry.matching import PlaceMatcher
from portal.registry.models import Business
from portal.registry.profiles import JurisdictionProfile
from portal.registry.records import business_record
from portal.tables import TableError, clean_cell, parse_date, read_table
from portal.timeutil import utcnow

KINDS = {"businesses": ("name", "主体名称"), "grades": ("score", "评分"),
         "lists": ("list_kind", "名单类型")}


def _field_of(cell) -> str | None:
    return load_synonyms(str(DATA_DIR / "registry" / "columns.json")).get(normalise_header(cell))


class _Rows:
    """The data rows of a table as {field: cleaned text}, with the raw cell for dates."""

    def __init__(self, rows: list[list[object]], kind: str):
        required, label = KINDS[kind]
        start, self.fields, self.labels = locate_header(rows, _field_of, required, label, 2)
        self.items = []
        for index in range(start + 1, len(rows)):
            raw = rows[index]
            values = {f: clean_cell(raw[i]) for i, f in self.fields.items() if i < len(raw)}
            raws = {f: raw[i] for i, f in self.fields.items() if i < len(raw)}
            if any(values.values()):
                self.items.append((index + 1, values, raws))
        if not self.items:
            raise TableError("表头下面没有数据行。")

    def label(self, field: str) -> str:
        return next((self.labels[i] for i, f in self.fields.items() if f == field), field)


def _find_business(session: Session, values: dict) -> Business | None:
    code = normalise_code(values.get("credit_code"))
    if code:
        found = session.scalar(select(Business).where(Business.credit_code == code).limit(1))
        if found:
            return found
    if values.get("licence_no"):
        found = session.scalar(select(Business).where(
            Business.licence_no == normalise_code(values["licence_no"])).limit(1))
        if found:
            return found
    if values.get("name"):
        return session.scalar(select(Business).where(Business.name == values["name"]).limit(1))
    return None


def import_registry(session: Session, actor: Actor, data: bytes, filename: str, kind: str,
                    profile: JurisdictionProfile, *, dry_run: bool = False) -> ImportReport:
    """kind: businesses, grades or lists; each is its own action in the permissions table.
    Writes inside the caller's transaction; a dry run in a savepoint that it rolls back."""
    authorize(actor, f"{kind}_import")
    report = ImportReport(dry_run=dry_run)
    try:
        table = _Rows(read_table(data, filename), kind)
    except TableError as exc:
        report.refused = str(exc)
        return report
    report.rows = len(table.items)
    errors: list[RowError] = []
    writer = {"businesses": _write_businesses, "grades": _write_grades, "lists": _write_lists}[kind]
    with rolled_back_if(session, dry_run):
        report.imported, report.updated, report.duplicates = writer(session, table, profile, errors)
        report.rejected = len(errors)
        report.errors = [asdict(e) for e in errors]
        audit.record(session, actor, f"{kind}_import", object_type="file",
                     object_id=filename[:64], detail={**report.as_json(), "errors": len(errors)})
    return report


def _write_businesses(session, table: _Rows, profile, errors) -> tuple[int, int, int]:
    matcher = PlaceMatcher(profile).match
    shapes = {s.adcode: s for s in profile.shapes()}
    imported = updated = duplicates = 0
    now = utcnow()
    for row_no, values, raws in table.items:
        record, column, problem = business_record(values, raws, profile, matcher, shapes)
        if record is None:
            errors.append(RowError(row_no, table.label(column), problem))
            continue
        existing = _find_business(session, record)
        if existing is None:
            session.add(Business(**record, is_demo=False, created_at=now, updated_at=now))
            imported += 1
        elif all(getattr(existing, k) == v for k, v in record.items()):
            duplicates += 1
        else:
            for key, value in record.items():
                setattr(existing, key, value)
            existing.updated_at = now
            updated += 1
        session.flush()
    return imported, updated, duplicates


def _write_grades(session, table: _Rows, profile, errors) -> tuple[int, int, int]:
    imported = duplicates = 0
    for row_no, values, raws in table.items:
        business = _find_business(session, values)
        if business is None:
            errors.append(RowError(row_no, table.label("name"), "在登记库中找不到这家单位（请核对名称或统一社会信用代码）"))
            continue
        day = parse_date(raws.get("inspected_on"))
        if day is None or day > date.today():
            errors.append(RowError(row_no, table.label("inspected_on"), "检查日期缺失、无法识别或晚于今天"))
            continue
        try:
            score = float(values.get("score") or "")
        except ValueError:
            score = -1
        if not 0 <= score <= 10:
            errors.append(RowError(row_no, table.label("score"), "评分应为 0 到 10 之间的数字"))
            continue
        if session.scalar(select(Inspection.id).where(Inspection.business_id == business.id,
                                                      Inspection.inspected_on == day)):
            duplicates += 1
            continue
        session.add(Inspection(business_id=business.id, inspected_on=day, score=round(score, 1),
                               is_demo=False))
        imported += 1
    return imported, 0, duplicates


def _write_lists(session, table: _Rows, profile, errors) -> tuple[int, int, int]:
    imported = duplicates = 0
    for row_no, values, raws in table.items:
        kind_text = values.get("list_kind") or ""
        kind = BLACK if ("黑" in kind_text or "失信" in kind_text) else RED if "红" in kind_text else None
        if kind is None:
            errors.append(RowError(row_no, table.label("list_kind"), "名单类型应为“黑榜（严重违法失信名单）”或“红榜”"))
            continue
        name, reason = values.get("name"), values.get("reason")
        listed = parse_date(raws.get("listed_on"))
        code = normalise_code(values.get("credit_code")) or None
        problem = (not name and ("name", "缺少名称")) or (not reason and ("reason", "缺少列入原因")) \
            or (listed is None and ("listed_on", "列入日期缺失或无法识别")) \
            or (code and credit_code_problem(code) and ("credit_code", credit_code_problem(code))) \
            or (kind == BLACK and not values.get("decision_no") and ("decision_no", "黑榜须填写处罚决定书文号"))
        if problem:
            errors.append(RowError(row_no, table.label(problem[0]), problem[1]))
            continue
        early, ends = default_dates(kind, listed)
        ends = parse_date(raws.get("ends_on")) or ends
        if session.scalar(select(ListEntry.id).where(ListEntry.kind == kind, ListEntry.business_name == name,
                                                     ListEntry.listed_on == listed)):
            duplicates += 1
            continue
        business = _find_business(session, {"credit_code": code, "name": name})
        session.add(ListEntry(kind=kind, business_id=business.id if business else None,
                              business_name=name, credit_code=code, reason=reason,
                              decision_no=values.get("decision_no"),
                              authority=values.get("authority") or profile.bureau,
                              listed_on=listed, early_removal_from=early, ends_on=ends,
                              is_demo=False))
        imported += 1
    return imported, 0, duplicates
