"""Import one announcement file: parse, validate, then write in bulk in one transaction.

`python -m portal import sampling FILE [--dry-run] [--json] [--outside skip|keep]` and the
数据导入 page both call import_sampling(). Identity comes from content, so importing the same
file twice adds nothing and a corrected file updates the rows it corrects.

Batches not recognised as sampled in the jurisdiction (a national or another province's
announcement; portal.registry.matching decides) are counted by every run, the trial included;
the publisher then skips them, keeps them as 外地 batches (published, but with no 核查处置
record: disposing of them is the duty of the place where they were sampled), or says they are
local after all (the bureau's own file whose addresses omit the city). Only a Disposal row is a duty of this bureau, so deadlines and
overdue figures count exactly those.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterator

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.db import bulk_insert_values
from portal.notices import events
from portal.importers.sampling_parse import RECORD_FIELDS, ParsedBatch, ParsedTable, parse_rows
from portal.registry.matching import Place, PlaceMatcher
from portal.registry.models import Business
from portal.registry.profiles import JurisdictionProfile
from portal.sampling.models import (FAILED, PENDING, Disposal, FailedItem, SamplingBatch,
                                    SamplingImport)
from portal.sampling.rules import disposal_due
from portal.sampling.search_index import bigram_text, index_inserted, last_batch_id
from portal.tables import TableError, read_table
from portal.timeutil import utcnow

CHUNK = 500
LOOKUP_CHUNK = 5000  # keys per IN (...) lookup; SQLite allows 32,766 parameters
SKIP, KEEP, LOCAL = "skip", "keep", "local"
OUTSIDE_CHOICES = {SKIP: "不导入",
                   KEEP: "作为外地批次发布（本局不承担核查处置）",
                   LOCAL: "其实是在本市抽样的（文件里的单位名称和地址没有写市名），按本市批次发布"}


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[dict] = field(default_factory=list)
    refused: str | None = None        # the whole file was refused: nothing written
    dry_run: bool = False
    import_id: int | None = None
    outside: int = 0                  # batches not sampled in the jurisdiction
    skipped: int = 0                  # of those, left out (--outside skip)

    def as_json(self) -> dict:
        data = {k: getattr(self, k) for k in ("rows", "imported", "updated", "duplicates",
                                              "rejected", "outside", "skipped", "errors")}
        if self.refused:
            data["refused"] = self.refused
        return data


def parse_file(data: bytes, filename: str, column_names: list[str] | None = None) -> ParsedTable:
    return parse_rows(read_table(data, filename), column_names)


def _business_ids(session: Session, names: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    names_list = sorted(n for n in names if n)
    for start in range(0, len(names_list), LOOKUP_CHUNK):
        chunk = names_list[start:start + LOOKUP_CHUNK]
        for name, business_id in session.execute(
                select(Business.name, Business.id).where(Business.name.in_(chunk))):
            found.setdefault(name, business_id)
    return found


def _existing(session: Session, keys: list[str]) -> dict[str, tuple[int, str, str]]:
    found = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
        rows = session.execute(select(SamplingBatch.identity_key, SamplingBatch.id,
                                      SamplingBatch.content_hash, SamplingBatch.result)
                               .where(SamplingBatch.identity_key.in_(chunk)))
        for key, batch_id, content, result in rows:
            found[key] = (batch_id, content, result)
    return found


ROW_COLUMNS = (*RECORD_FIELDS, "identity_key", "content_hash", "in_jurisdiction",
               "district_adcode", "sampled_business_id", "producer_business_id", "import_id",
               "search_bigrams", "updated_at")


def _values(batch: ParsedBatch, located: Callable, businesses: dict[str, int], import_id: int | None,
            now) -> list:
    """One batch's column values in ROW_COLUMNS order (a list: the bulk path's own form)."""
    f = batch.fields
    unit, producer = f["sampled_unit"], f["producer_name"]
    place = located(batch)
    values = [f[k] for k in RECORD_FIELDS]
    values += [batch.identity_key, batch.content_hash, place.in_jurisdiction,
               place.district_adcode, businesses.get(unit or ""), businesses.get(producer or ""),
               import_id, bigram_text(f["food_name"], producer, unit), now]
    return values


def _row(batch: ParsedBatch, located: Callable, businesses: dict[str, int],
         import_id: int | None, now) -> dict:
    return dict(zip(ROW_COLUMNS, _values(batch, located, businesses, import_id, now)))


def place_matcher(profile: JurisdictionProfile):
    """Announcements repeat the same units many times: match each distinct one once."""
    return lru_cache(maxsize=None)(PlaceMatcher(profile).match)


def place_of(matcher, batch: ParsedBatch):
    f = batch.fields
    return matcher(f["sampled_unit"], f["sampled_address"], f["sampled_province"])


def outside_text(count: int, profile: JurisdictionProfile) -> str:
    """How every trial, refusal and page names them."""
    return (f"{count:,} 个批次不能确认是在{profile.name}抽样的（被抽样单位的名称、地址和省份里"
            f"没有{profile.name}或其区县的名称），看来是外地批次")


def outside_batches(batches: list[ParsedBatch], matcher) -> list[ParsedBatch]:
    """Batches not sampled in the jurisdiction (外地): their 核查处置 is not this bureau's."""
    return [b for b in batches if not place_of(matcher, b).in_jurisdiction]


def write_batches(session: Session, batches: list[ParsedBatch], profile: JurisdictionProfile,
                  import_id: int | None, *, is_demo: bool = False, matcher=None,
                  progress: Callable[[float], None] | None = None) -> tuple[int, int, int]:
    """Upsert; returns (imported, updated, duplicates). Bulk statements, not ORM objects."""
    now = utcnow()
    matcher = matcher or place_matcher(profile)

    def located(batch):
        return place_of(matcher, batch)

    businesses = _business_ids(session, {b.fields["sampled_unit"] or "" for b in batches} |
                               {b.fields["producer_name"] or "" for b in batches})
    existing = _existing(session, [b.identity_key for b in batches])
    indexed_up_to = last_batch_id(session)
    new, changed, duplicates = [], [], 0
    for batch in batches:
        known = existing.get(batch.identity_key)
        if known is None:
            new.append(batch)
        elif known[1] == batch.content_hash:
            duplicates += 1
        else:
            changed.append((known[0], known[2], batch))
    total = max(1, len(new) + len(changed))
    done = 0
    columns = [*ROW_COLUMNS, "created_at", "is_demo"]
    result_at = ROW_COLUMNS.index("result")
    table = SamplingBatch.__table__
    for start in range(0, len(new), CHUNK * 4):
        chunk = new[start:start + CHUNK * 4]
        rows = [[*_values(b, located, businesses, import_id, now), now, is_demo] for b in chunk]
        bulk_insert_values(session, table, columns, [r for r in rows if r[result_at] != FAILED])
        failed = [r for r in rows if r[result_at] == FAILED]
        if failed:
            # No RETURNING: SQLAlchemy's insertmanyvalues splices returned rows in quadratic
            # time; the new ids are read back by their unique identity keys instead.
            keys = [b.identity_key for b in chunk if b.fields["result"] == FAILED]
            bulk_insert_values(session, table, columns, failed)
            ids = {key: known[0] for key, known in _existing(session, keys).items()}
            _write_items_and_disposals(
                session, [(ids[b.identity_key], b) for b in chunk if b.identity_key in ids], set(),
                located)
        done += len(chunk)
        if progress:
            progress(done / total)
    index_inserted(session, indexed_up_to)
    if changed:
        session.execute(update(SamplingBatch), [
            {"id": batch_id, **_row(b, located, businesses, import_id, now)}
            for batch_id, _, b in changed])
        ids = [batch_id for batch_id, _, _ in changed]
        for start in range(0, len(ids), CHUNK):
            session.execute(delete(FailedItem).where(FailedItem.batch_id.in_(ids[start:start + CHUNK])))
        had_disposal: set[int] = set()
        for start in range(0, len(ids), CHUNK):
            had_disposal.update(session.scalars(select(Disposal.batch_id).where(
                Disposal.batch_id.in_(ids[start:start + CHUNK]))))
        _write_items_and_disposals(session, [(i, b) for i, _, b in changed], had_disposal, located)
        if progress:
            progress(1.0)
    return len(new), len(changed), duplicates


def _write_items_and_disposals(session: Session, pairs: list[tuple[int, ParsedBatch]],
                               had_disposal: set[int], located: Callable) -> None:
    """Failed items of every batch; a 核查处置 record (this bureau's duty) only for failed
    batches sampled in the jurisdiction."""
    items = [{"batch_id": batch_id, "position": n, "item": name[:200],
              "result_value": (res or "")[:300] or None, "standard_value": (std or "")[:300] or None}
             for batch_id, b in pairs for n, (name, res, std) in enumerate(b.failed_items)]
    if items:
        session.execute(insert(FailedItem.__table__), items)
    disposals = [{"batch_id": batch_id, "status": PENDING,
                  "due_on": disposal_due(b.fields["announcement_date"]), "updated_at": utcnow()}
                 for batch_id, b in pairs
                 if b.fields["result"] == FAILED and batch_id not in had_disposal
                 and located(b).in_jurisdiction]
    if disposals:
        session.execute(insert(Disposal.__table__), disposals)


def import_sampling(session: Session, actor: Actor, data: bytes, filename: str,
                    profile: JurisdictionProfile, *, dry_run: bool = False,
                    column_names: list[str] | None = None, outside: str | None = None,
                    progress: Callable[[float], None] | None = None) -> ImportReport:
    """Import one file inside the caller's transaction (`with db.write() as session:`), like
    every action: a refused file writes nothing, and a failure rolls the caller's transaction
    back whole. A dry run writes in a savepoint and rolls it back, so it counts exactly what
    the import would do.

    outside: what to do with batches not recognised as sampled in the jurisdiction: SKIP,
    KEEP (as 外地, with no 核查处置) or LOCAL (sampled here after all). A file holding such
    batches is refused without a choice, except in a dry run, which counts them."""
    authorize(actor, "sampling_import")
    if outside not in (None, *OUTSIDE_CHOICES):
        raise ValueError(f"outside must be one of {', '.join(OUTSIDE_CHOICES)}")
    report = ImportReport(dry_run=dry_run)
    try:
        table = parse_file(data, filename, column_names)
    except TableError as exc:
        report.refused = str(exc)
        return report
    report.rows = table.rows
    report.rejected = len(table.errors)
    report.errors = [asdict(e) for e in table.errors]
    matcher = place_matcher(profile)
    elsewhere = {id(b) for b in outside_batches(table.batches, matcher)}
    report.outside = len(elsewhere)
    if report.outside and outside is None and not dry_run:
        report.refused = (f"文件中有 {outside_text(report.outside, profile)}。请选择："
                          + "；".join(f"{label}（{key}）" for key, label in OUTSIDE_CHOICES.items()))
        return report
    batches = table.batches
    if outside == SKIP:
        batches = [b for b in batches if id(b) not in elsewhere]
        report.skipped = report.outside
    elif outside == LOCAL:
        matched = matcher
        matcher = lru_cache(maxsize=None)(lambda *texts: Place(True, matched(*texts).district_adcode))
    with rolled_back_if(session, dry_run):
        _write_file(session, report, table, batches, matcher, data, filename, profile, actor,
                    progress)
    if dry_run:
        report.import_id = None
    return report


@contextmanager
def rolled_back_if(session: Session, dry_run: bool) -> Iterator[None]:
    """Write in a savepoint that a dry run rolls back (the caller's transaction goes on);
    a real run writes straight into the caller's transaction."""
    if not dry_run:
        yield
        return
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()


def _write_file(session, report, table, batches, matcher, data, filename, profile, actor,
                progress) -> None:
    record = SamplingImport(filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
                            rows=table.rows, imported=0, updated=0, duplicates=0,
                            rejected=report.rejected, imported_by=actor.username,
                            imported_at=utcnow())
    session.add(record)
    session.flush()
    imported, updated, duplicates = write_batches(session, batches, profile, record.id,
                                                  matcher=matcher, progress=progress)
    report.imported, report.updated = imported, updated
    report.duplicates = duplicates + table.duplicates_in_file
    record.imported, record.updated, record.duplicates = imported, updated, report.duplicates
    report.import_id = record.id
    if session.scalar(select(SamplingBatch.id).where(SamplingBatch.import_id == record.id,
                                                     SamplingBatch.result == FAILED).limit(1)):
        events.sampling_failed(session, record.id)     # followers are told (portal.notices)
    audit.record(session, actor, "sampling_import", object_type="sampling_import",
                 object_id=record.id, detail={"file": filename[:120], **report.as_json(),
                                              "errors": len(report.errors)})
