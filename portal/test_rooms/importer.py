"""Import the list of testing rooms (快检室名录) from CSV/XLSX/XLS.

`python -m portal test-rooms import FILE [--dry-run] [--json]`, or 快检室管理 in the portal.
The header is found under title rows and read through the synonyms in
data/test_rooms/columns.json. A room is known by its name: importing the same file again
changes nothing. Rows with an invalid value are rejected and listed by row and column; the
rest are written in the caller's transaction (a dry run in a savepoint it rolls back)."""
from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.config import DATA_DIR
from portal.importers.headers import load_synonyms, locate_header, normalise_header
from portal.importers.sampling import ImportReport, rolled_back_if
from portal.importers.sampling_parse import RowError
from portal.registry.profiles import JurisdictionProfile
from portal.tables import TableError, clean_cell, read_table
from portal.test_rooms.actions import save_room
from portal.validation import InputError


def _field_of(cell) -> str | None:
    return load_synonyms(str(DATA_DIR / "test_rooms" / "columns.json")).get(normalise_header(cell))


def import_rooms(session: Session, actor: Actor, data: bytes, filename: str,
                 profile: JurisdictionProfile, *, dry_run: bool = False) -> ImportReport:
    authorize(actor, "test_rooms_import")
    report = ImportReport(dry_run=dry_run)
    try:
        rows = read_table(data, filename)
        start, fields, labels = locate_header(rows, _field_of, "name", "快检室名称", 3)
    except TableError as exc:
        report.refused = str(exc)
        return report
    items = []
    for index in range(start + 1, len(rows)):
        raw = rows[index]
        values = {f: clean_cell(raw[i]) for i, f in fields.items() if i < len(raw)}
        if any(values.values()):
            items.append((index + 1, values))
    if not items:
        report.refused = "表头下面没有数据行。"
        return report
    label_of = {f: labels[i] for i, f in fields.items()}
    report.rows = len(items)
    errors: list[RowError] = []
    with rolled_back_if(session, dry_run):
        seen: set[str] = set()
        for row_no, values in items:
            if values.get("name") in seen:
                report.duplicates += 1
                continue
            try:
                with session.begin_nested():
                    _, outcome = save_room(session, actor, values, profile, audit_it=False)
            except InputError as exc:
                field, message = next(iter(exc.errors.items()))
                errors.append(RowError(row_no, label_of.get(field, field), str(message)))
                continue
            seen.add(values["name"])
            report.imported += outcome == "added"
            report.updated += outcome == "updated"
            report.duplicates += outcome == "same"
        report.rejected = len(errors)
        report.errors = [asdict(e) for e in errors]
        audit.record(session, actor, "test_rooms_import", object_type="file",
                     object_id=filename[:64], detail={**report.as_json(), "errors": len(errors)})
    return report
