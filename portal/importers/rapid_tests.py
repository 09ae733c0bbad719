"""Import markets' daily rapid-test sheets (快检公示): parse, validate, write in one transaction.

`python -m portal import rapid-tests FILE [--dry-run] [--json]` and the 导入快检结果 page both
call import_rapid_tests(). The layouts seen in public 快检公示 (data/rapid_tests/columns.json
lists them) put the market's name and the day in title rows above the header, or in columns
of every row; both are read. Identity comes from content (day, market, stall, trader, sample,
item), so importing the same file twice adds nothing and a corrected file updates the rows it
corrects. A refused file writes nothing; a bad row is listed by row and column and left out.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from datetime import date
from typing import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.config import DATA_DIR
from portal.db import bulk_insert_values
from portal.importers.headers import HEADER_SCAN_ROWS, load_synonyms, locate_header, normalise_header
from portal.importers.sampling import ImportReport, rolled_back_if
from portal.importers.sampling_parse import RowError
from portal.rapid_tests.models import (CASE_NONE, POSITIVE, REVIEW_PENDING, RapidFollowUp,
                                       RapidMarket, RapidTest, RapidTestImport)
from portal.rapid_tests import rules
from portal.registry.codes import normalise_code
from portal.registry.models import Business
from portal.tables import TableError, clean_cell, parse_date, read_table
from portal.timeutil import local_today, utcnow

CHUNK = 2000
LOOKUP_CHUNK = 5000
LIMITS = {"market": 200, "stall": 60, "trader": 120, "sample": 100, "item": 200, "method": 100,
          "value": 40, "tester": 120}
LABELS = {"tested_on": "检测日期", "market": "市场名称", "sample": "样品名称", "item": "检测项目",
          "result": "检测结果", "value": "抑制率", "stall": "摊位号", "trader": "经营户",
          "method": "检测方法", "tester": "检测单位"}
# Notes under the table (检测员：…, 审核：…, 注：…) are not data rows.
FOOTER = re.compile(r"^(检测员|检测人|审核|批准|复核人|负责人|注|备注|说明|检测单位|公示日期|填表|制表|监督电话|投诉电话)")
TITLE_MARKET = re.compile(r"([\u4e00-\u9fffA-Za-z0-9（）()·]{2,60}?(?:农贸市场|农产品市场|批发市场|菜市场|市场|超市|快检室))")
TITLE_MARKET_END = re.compile(r"(市场|超市|快检室)$")
TITLE_SUFFIX = re.compile(r"(?:食用农产品|农产品|蔬菜|快速检测|快检|检测结果|农药残留|每日|今日|\d{4}\s*年)")
PESTICIDE = "有机磷和氨基甲酸酯类农药残留"
TEST_COLUMNS = ["identity_key", "content_hash", "tested_on", "market_id", "stall", "trader",
                "sample", "item", "method", "result", "value", "tester", "business_id",
                "import_id", "is_demo", "created_at", "updated_at"]


def _field_of(cell) -> str | None:
    return load_synonyms(str(DATA_DIR / "rapid_tests" / "columns.json")).get(normalise_header(cell))


@dataclass
class ParsedTest:
    row: int
    fields: dict
    follow_up: dict = field(default_factory=dict)

    @cached_property
    def identity_key(self) -> str:
        f = self.fields
        text = "|".join((str(f["tested_on"]), f["market"], f["stall"] or "", f["trader"] or "",
                         f["sample"], f["item"]))
        return hashlib.sha1(re.sub(r"\s", "", text).lower().encode("utf-8")).hexdigest()

    @cached_property
    def content_hash(self) -> str:
        values = [str(self.fields.get(k)) for k in sorted(self.fields)]
        values += [str(self.follow_up.get(k)) for k in sorted(self.follow_up)]
        return hashlib.sha1("\x1f".join(values).encode("utf-8")).hexdigest()


@dataclass
class ParsedSheet:
    tests: list[ParsedTest]
    errors: list[RowError]
    rows: int
    duplicates_in_file: int
    market: str | None       # from the title rows
    day: date | None


def _title_context(rows: list[list[object]], header: int) -> tuple[str | None, date | None, str]:
    """The market, the day and the title's text from the rows above the header."""
    market, day, title = None, None, []
    for row in rows[:header]:
        for cell in row:
            text = clean_cell(cell)
            if not text:
                continue
            title.append(text)
            if day is None and (found := parse_date(cell if not isinstance(cell, str) else text)):
                day = found
            if market is None:
                named = re.sub(r"^(市场名称|受检市场|检测地点|市场)[:：]\s*", "", text)
                if named != text:
                    market = named.strip()[:LIMITS["market"]] or None
                elif (prefix := re.sub(r"^【[^】]*】", "", TITLE_SUFFIX.split(text)[0]).strip()) != text and \
                        TITLE_MARKET_END.search(prefix):
                    market = prefix[:LIMITS["market"]]   # the whole name before 食用农产品快速检测…
                elif (match := TITLE_MARKET.search(text)) and "检测结果" not in match[1]:
                    market = match[1]
    return market, day, " ".join(title)


def parse_rows(rows: list[list[object]], today: date | None = None) -> ParsedSheet:
    """Rows of a sheet -> validated tests and a row-level report (no database here)."""
    today = today or local_today()
    header, fields, labels = locate_header(rows[:HEADER_SCAN_ROWS + 200], _field_of, "sample",
                                           "样品名称", 3)
    present = set(fields.values())
    if "result" not in present and "value" not in present:
        raise TableError("表头里没有“检测结果”（或“抑制率”）列，无法判断阴性还是阳性。")
    market, day, title = _title_context(rows, header)
    if "market" not in present and not market:
        raise TableError("文件里没有“市场名称”列，标题里也没有写明是哪个市场。请在标题里写明市场名称，或加一列市场名称。")
    if "tested_on" not in present and not day:
        raise TableError("文件里没有“检测日期”列，标题里也没有写明检测日期。")
    default_item = PESTICIDE if ("农残" in title or "农药残留" in title) else None
    if "item" not in present and not default_item:
        raise TableError("表头里没有“检测项目”列，标题里也没有写明检测项目。")

    def label(name: str) -> str:
        return next((labels[i] for i, f in fields.items() if f == name), LABELS.get(name, name))

    date_col = next((i for i, f in fields.items() if f == "tested_on"), None)
    dates: dict = {}
    tests: list[ParsedTest] = []
    errors: list[RowError] = []
    seen: dict[str, ParsedTest] = {}
    duplicates = data_rows = 0
    for index in range(header + 1, len(rows)):
        raw = rows[index]
        values = {f: clean_cell(raw[i]) for i, f in fields.items() if i < len(raw)}
        if not any(values.values()):
            continue
        if not values.get("result"):
            first = next((text for c in raw if (text := clean_cell(c))), "")
            if FOOTER.match(first):
                continue   # 检测员：… 审核：…
            if not values.get("sample") and not values.get("item"):
                continue   # a note or a sub-total row
        data_rows += 1
        row_no = index + 1
        problem = _check(values, raw, date_col, dates, market, day, default_item, today)
        if isinstance(problem, tuple):
            errors.append(RowError(row_no, label(problem[0]), problem[1]))
            continue
        test = ParsedTest(row_no, problem, _follow_up(values, problem))
        known = seen.get(test.identity_key)
        if known is not None:
            if known.content_hash == test.content_hash:
                duplicates += 1
            else:
                errors.append(RowError(row_no, label("sample"),
                                       f"与第 {known.row} 行是同一天、同一摊位、同一样品和项目，但结果不同，请核对"))
            continue
        seen[test.identity_key] = test
        tests.append(test)
    if not data_rows:
        raise TableError("表头下面没有数据行。")
    return ParsedSheet(tests, errors, data_rows, duplicates, market, day)


def _check(values: dict, raw: list, date_col: int | None, dates: dict, market: str | None,
           day: date | None, default_item: str | None, today: date) -> dict | tuple[str, str]:
    """The row's fields, or (field, problem)."""
    for name, limit in LIMITS.items():
        if values.get(name) and len(values[name]) > limit:
            return name, f"内容过长（最多 {limit} 个字）"
    raw_day = raw[date_col] if date_col is not None and date_col < len(raw) else None
    if values.get("tested_on"):
        key = raw_day if isinstance(raw_day, (str, int, float, date)) else str(raw_day)
        tested_on = dates.get(key, False)
        if tested_on is False:     # a sheet repeats a few days: each is parsed once
            tested_on = dates[key] = parse_date(raw_day)
    else:
        tested_on = day
    if tested_on is None:
        return "tested_on", "检测日期无法识别（应为 2024-05-06 或 2024年5月6日）"
    if tested_on > today:
        return "tested_on", "检测日期晚于今天"
    if tested_on.year < 2000:
        return "tested_on", "检测日期早于 2000 年"
    sample = values.get("sample")
    if not sample:
        return "sample", "缺少样品名称"
    item = values.get("item") or default_item
    if not item:
        return "item", "缺少检测项目"
    value = values.get("value")
    if value:
        value = value.rstrip("%％ ") + ("%" if rules.inhibition(value) is not None else "")
    result = rules.result_code(values.get("result")) if values.get("result") else \
        rules.result_from_inhibition(values.get("value"))
    if result is None:
        return "result", "检测结果应为阴性/阳性或合格/不合格"
    return {"tested_on": tested_on, "market": values.get("market") or market, "stall": values.get("stall"),
            "trader": values.get("trader"), "sample": sample, "item": item,
            "method": values.get("method"), "result": result, "value": value,
            "tester": values.get("tester"), "business_code": normalise_code(values.get("business_code")) or None}


def _follow_up(values: dict, fields: dict) -> dict:
    """The follow-up a sheet states for a positive (处理情况, 复核结果, 立案情况)."""
    if fields["result"] != POSITIVE:
        return {}
    measures = rules.measures_of(values.get("measures"))
    return {"review": rules.review_code(values.get("review")), "measures": measures,
            "measures_on": fields["tested_on"] if measures else None,
            "case_status": rules.case_code(values.get("case"))}


def parse_file(data: bytes, filename: str) -> ParsedSheet:
    return parse_rows(read_table(data, filename))


def _lookup(session: Session, column, key_column, keys: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    keys_list = sorted(k for k in keys if k)
    for start in range(0, len(keys_list), LOOKUP_CHUNK):
        for key, row_id in session.execute(select(key_column, column).where(
                key_column.in_(keys_list[start:start + LOOKUP_CHUNK]))):
            found.setdefault(key, row_id)
    return found


def _markets(session: Session, names: set[str], is_demo: bool, now) -> dict[str, int]:
    """Each market's id, creating the new ones (linked to a registered business of that name)."""
    found = _lookup(session, RapidMarket.id, RapidMarket.name, names)
    if found and not is_demo:   # a real sheet claims a demo market: `demo --clear` keeps it
        session.execute(update(RapidMarket).where(RapidMarket.id.in_(list(found.values())),
                                                  RapidMarket.is_demo.is_(True)).values(is_demo=False))
    new = sorted(names - set(found))
    if new:
        businesses = _lookup(session, Business.id, Business.name, set(new))
        session.execute(RapidMarket.__table__.insert(), [
            {"name": n, "business_id": businesses.get(n), "is_demo": is_demo, "created_at": now}
            for n in new])
        found.update(_lookup(session, RapidMarket.id, RapidMarket.name, set(new)))
    return found


def write_tests(session: Session, tests: list[ParsedTest], import_id: int | None, *,
                is_demo: bool = False, progress: Callable[[float], None] | None = None
                ) -> tuple[int, int, int]:
    """Upsert; returns (imported, updated, duplicates). Bulk statements, not ORM objects."""
    now = utcnow()
    markets = _markets(session, {t.fields["market"] for t in tests}, is_demo, now)
    by_code = _lookup(session, Business.id, Business.credit_code,
                      {t.fields["business_code"] for t in tests if t.fields["business_code"]})
    by_name = _lookup(session, Business.id, Business.name,
                      {t.fields["trader"] for t in tests if t.fields["trader"]
                       and len(t.fields["trader"]) >= 4})
    existing: dict[str, tuple[int, str]] = {}
    keys = [t.identity_key for t in tests]
    for start in range(0, len(keys), LOOKUP_CHUNK):
        for key, test_id, content in session.execute(
                select(RapidTest.identity_key, RapidTest.id, RapidTest.content_hash)
                .where(RapidTest.identity_key.in_(keys[start:start + LOOKUP_CHUNK]))):
            existing[key] = (test_id, content)

    def values(t: ParsedTest) -> list:
        f = t.fields
        business = by_code.get(f["business_code"] or "") or by_name.get(f["trader"] or "")
        return [t.identity_key, t.content_hash, f["tested_on"], markets[f["market"]], f["stall"],
                f["trader"], f["sample"], f["item"], f["method"], f["result"], f["value"],
                f["tester"], business, import_id, is_demo, now, now]

    new, changed, duplicates = [], [], 0
    for t in tests:
        known = existing.get(t.identity_key)
        if known is None:
            new.append(t)
        elif known[1] == t.content_hash:
            duplicates += 1
        else:
            changed.append((known[0], t))
    table = RapidTest.__table__
    for start in range(0, len(new), CHUNK):
        bulk_insert_values(session, table, TEST_COLUMNS, [values(t) for t in new[start:start + CHUNK]])
        if progress:
            progress(min(1.0, (start + CHUNK) / max(1, len(new) + len(changed))))
    positives = [t for t in new if t.fields["result"] == POSITIVE]
    if positives:
        ids = _lookup(session, RapidTest.id, RapidTest.identity_key,
                      {t.identity_key for t in positives})
        _write_follow_ups(session, [(ids[t.identity_key], t) for t in positives], now)
    if changed:
        update_columns = TEST_COLUMNS[:-3] + ["updated_at"]
        session.execute(update(RapidTest), [
            {"id": test_id, **dict(zip(update_columns, values(t)[:-3] + [now])),
             "is_demo": is_demo} for test_id, t in changed])
        ids = [test_id for test_id, _ in changed]
        for start in range(0, len(ids), LOOKUP_CHUNK):
            session.execute(delete(RapidFollowUp).where(
                RapidFollowUp.test_id.in_(ids[start:start + LOOKUP_CHUNK])))
        _write_follow_ups(session, [(i, t) for i, t in changed if t.fields["result"] == POSITIVE], now)
    if progress:
        progress(1.0)
    return len(new), len(changed), duplicates


def _write_follow_ups(session: Session, pairs: list[tuple[int, ParsedTest]], now) -> None:
    rows = [{"test_id": test_id, "review": t.follow_up.get("review", REVIEW_PENDING),
             "measures": t.follow_up.get("measures"), "measures_on": t.follow_up.get("measures_on"),
             "case_status": t.follow_up.get("case_status", CASE_NONE), "updated_at": now}
            for test_id, t in pairs]
    if rows:
        session.execute(RapidFollowUp.__table__.insert(), rows)


def import_rapid_tests(session: Session, actor: Actor, data: bytes, filename: str, *,
                       dry_run: bool = False,
                       progress: Callable[[float], None] | None = None) -> ImportReport:
    """One file writes in the caller's transaction (a dry run in a savepoint it rolls back);
    a refused file writes nothing."""
    authorize(actor, "rapid_tests_import")
    report = ImportReport(dry_run=dry_run)
    try:
        sheet = parse_file(data, filename)
    except TableError as exc:
        report.refused = str(exc)
        return report
    report.rows = sheet.rows
    report.rejected = len(sheet.errors)
    report.errors = [asdict(e) for e in sheet.errors]
    with rolled_back_if(session, dry_run):
        record = RapidTestImport(filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
                                 rows=sheet.rows, imported=0, updated=0, duplicates=0,
                                 rejected=report.rejected, imported_by=actor.username,
                                 imported_at=utcnow())
        session.add(record)
        session.flush()
        imported, updated, duplicates = write_tests(session, sheet.tests, record.id,
                                                    progress=progress)
        report.imported, report.updated = imported, updated
        report.duplicates = duplicates + sheet.duplicates_in_file
        record.imported, record.updated, record.duplicates = imported, updated, report.duplicates
        report.import_id = None if dry_run else record.id
        audit.record(session, actor, "rapid_tests_import", object_type="rapid_test_import",
                     object_id=record.id, detail={"file": filename[:120], **report.as_json(),
                                                  "errors": len(report.errors)})
    return report
