"""Announcement table -> validated batches and a row-level report (no database here)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property

from portal.config import DATA_DIR
from portal.importers.headers import SEPARATORS, load_synonyms, locate_header, normalise_header
from portal.sampling.models import FAILED, PASSED
from portal.sampling.rules import rules
from portal.tables import EMPTY_MARKERS, NEEDS_WORK, TableError, clean_cell, parse_date

LIMITS = {"food_name": 200, "producer_name": 200, "producer_address": 300, "sampled_unit": 200,
          "sampled_address": 300, "sampled_province": 40, "specification": 200,
          "trademark": 100, "production_batch": 120, "category": 100, "subcategory": 100,
          "announcement_no": 120, "task_source": 200, "inspection_agency": 200,
          "remark": 2000}
FIELD_LABELS = {"food_name": "食品名称", "producer_name": "标称生产企业名称",
                "sampled_unit": "被抽样单位名称", "announcement_date": "公告日期",
                "verdict": "判定", "failed": "不合格项目", "category": "分类"}


def synonyms() -> dict[str, str]:
    return load_synonyms(str(DATA_DIR / "sampling" / "columns.json"))


def header_field(text: object) -> str | None:
    name = normalise_header(text)
    if not name:
        return None
    found = synonyms().get(name)
    if found:
        return found
    if "不合格项目" in name and "║" in name:
        return "failed_combined"
    return None


RECORD_FIELDS = ("food_name", "producer_name", "producer_address", "sampled_unit",
                 "sampled_address", "sampled_province", "specification", "trademark",
                 "production_date", "production_batch", "category", "subcategory",
                 "announcement_no", "announcement_date", "task_source", "inspection_agency",
                 "remark", "result")


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ParsedBatch:
    row: int
    fields: dict
    failed_items: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    # The cleaned cells the batch was read from (sequence numbers excluded): when given, the
    # content hash is taken over them, which is cheaper than over the parsed fields.
    source_cells: str | None = None

    @cached_property
    def identity_key(self) -> str:
        f = self.fields
        text = "|".join((f.get("food_name") or "", f.get("producer_name") or "",
                         f.get("sampled_unit") or "",
                         f.get("production_batch") or str(f.get("production_date") or ""),
                         f.get("announcement_no") or ""))
        text = text.replace(" ", "").replace("\n", "").lower()
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    @cached_property
    def content_hash(self) -> str:
        if self.source_cells is not None:
            return hashlib.sha1(self.source_cells.encode("utf-8")).hexdigest()
        # Fields in a fixed order, separated by a control character no cell can contain.
        f = self.fields
        values = [str(f.get(k)) for k in RECORD_FIELDS]
        values += ["\x1e".join(str(p) for p in item) for item in self.failed_items]
        return hashlib.sha1("\x1f".join(values).encode("utf-8")).hexdigest()


@dataclass
class ParsedTable:
    batches: list[ParsedBatch]
    errors: list[RowError]
    rows: int            # data rows seen (notes and blank rows excluded)
    duplicates_in_file: int
    title: str


def find_header(rows: list[list[object]]) -> tuple[int, dict[int, str], dict[int, str]]:
    """(header row index, column -> field, column -> label as printed)."""
    return locate_header(rows, header_field, "food_name", "食品名称（或样品名称）")


def split_failed_items(combined: str | None) -> list[tuple[str, str | None, str | None]]:
    """`铅(以Pb计)║0.35mg/kg║≤0.2mg/kg`, also with || and several items on separate lines."""
    if not combined:
        return []
    items = []
    for line in combined.split("\n"):
        pieces = [line]
        if len(SEPARATORS.findall(line)) > 2:
            pieces = [p for p in re.split(r"[；;]", line) if p.strip()]
        for piece in pieces:
            parts = [p.strip() or None for p in SEPARATORS.split(piece)]
            if not parts or not parts[0]:
                continue
            parts += [None] * (3 - len(parts))
            items.append((parts[0], parts[1], "║".join(p for p in parts[2:] if p) or None))
    return items


def _zip_items(item: str | None, result: str | None, standard: str | None,
               unit: str | None) -> list[tuple[str, str | None, str | None]]:
    if not item:
        return []
    names = [s for s in item.split("\n") if s.strip()]
    results = (result or "").split("\n")
    standards = (standard or "").split("\n")
    if len(names) > 1 and len(results) == len(names):
        pairs = [(n, r or None, standards[i] if i < len(standards) else None)
                 for i, (n, r) in enumerate(zip(names, results))]
    else:
        pairs = [(" ".join(names), result, standard)]
    out = []
    for name, res, std in pairs:
        if unit and res and not res.endswith(unit):
            res = f"{res}{unit}"
        out.append((name.strip(), (res or "").strip() or None, (std or "").strip() or None))
    return out


_MEASURE_START = re.compile(r"^\s*([0-9.]|n\s*=|[≤≥<>]|不得)")
_AGENCY = re.compile(r"检验|检测|研究院|质量监督|监督所|检疫")


def _looks_shifted(items) -> str | None:
    """Scraped and hand-made tables sometimes slide cells one column over; importing them
    would publish a number as the failed item or a laboratory as the limit."""
    for name, result, standard in items:
        if _MEASURE_START.match(name):
            return f"项目一栏是“{name[:20]}”"
        if result and re.match(r"^\s*([≤≥]|不得检出|n\s*=)", result):
            return f"检验结果一栏是“{result[:20]}”"
        if standard and _AGENCY.search(standard) and not re.search(r"\d", standard):
            return f"标准值一栏是“{standard[:20]}”"
    return None


def _verdict(raw: str | None) -> str | None:
    if raw is None:
        return None
    if "不合格" in raw or raw in ("问题", "不符合"):
        return FAILED
    if raw in ("合格", "符合", "合格产品"):
        return PASSED
    return "?"


@dataclass(frozen=True)
class Layout:
    """Where the data is and what each column means."""
    fields: dict[int, str]
    label_of: dict[str, str]
    start: int
    title: str
    failed_table: bool


def parse_rows(rows: list[list[object]], column_names: list[str] | None = None) -> ParsedTable:
    if column_names:
        fields = {i: f for i, name in enumerate(column_names) if (f := header_field(name))}
        if "food_name" not in fields.values():
            raise TableError("列名映射里没有“食品名称”一列。")
        labels = {i: column_names[i] for i in fields}
        start, title = 0, ""
    else:
        header_index, fields, labels = find_header(rows)
        start = header_index + 1
        title = " ".join(str(c) for r in rows[:header_index] for c in r if clean_cell(c))
    failed_table = "不合格" in title or (
        "verdict" not in fields.values()
        and {"failed_combined", "failed_item"} & set(fields.values()))
    layout = Layout(fields, {f: labels[i] for i, f in fields.items()}, start, title,
                    bool(failed_table))
    parts = [_parse_range(rows, layout, start, len(rows))]
    batches: list[ParsedBatch] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    duplicates = data_rows = 0
    for part_batches, part_errors, part_rows in parts:
        errors += part_errors
        data_rows += part_rows
        for batch in part_batches:
            if batch.identity_key in seen:
                duplicates += 1
                continue
            seen.add(batch.identity_key)
            batches.append(batch)
    if data_rows == 0:
        raise TableError("表头下面没有数据行。")
    return ParsedTable(batches, errors, data_rows, duplicates, title)


def _parse_range(rows, layout: Layout, lo: int, hi: int):
    """Parse data rows lo..hi into (batches, errors, data rows seen); no cross-row state."""
    fields, label_of, failed_table = layout.fields, layout.label_of, layout.failed_table
    not_food = tuple(rules()["not_food_categories"]["value"])
    batches: list[ParsedBatch] = []
    errors: list[RowError] = []
    data_rows = 0
    needs_work = NEEDS_WORK.search
    field_items = list(fields.items())
    content_cols = [i for i, f in field_items if f not in ("seq", "ignore")]
    date_items = [(i, f) for i, f in field_items if f in ("announcement_date", "production_date")]
    for index in range(lo, hi):
        raw = rows[index]
        row_no = index + 1  # as the spreadsheet shows it
        # clean_cell's common case inlined: a plain string needing only a strip.
        cleaned = [clean_cell(c) if type(c) is not str or needs_work(c)
                   else (None if (t := c.strip()) in EMPTY_MARKERS else t) for c in raw]
        values: dict[str, str | None] = {}
        width = len(raw)
        for i, f in field_items:
            if i < width and cleaned[i] is not None and f not in values:
                values[f] = cleaned[i]
        raw_dates = {f: raw[i] for i, f in date_items if i < width}
        filled = len(cleaned) - cleaned.count(None)
        if filled == 0:
            continue
        if filled == 1 and not values.get("food_name"):
            continue  # a title, disclaimer (声明：…) or note line
        data_rows += 1

        def reject(field_name: str, message: str, row_no=row_no) -> None:
            label = label_of.get(field_name, FIELD_LABELS.get(field_name, field_name))
            errors.append(RowError(row_no, label, message))

        food = values.get("food_name")
        if not food:
            reject("food_name", "缺少食品名称，未导入")
            continue
        source = values.get("task_source") or ""
        if "药监" in source or "药品监督" in source:
            reject("task_source", f"不是食品抽检（来源：{source}），未导入")
            continue
        category_raw = values.get("category") or "未分类"
        parts = re.split(r"-+>", category_raw) if ">" in category_raw else [category_raw]
        category = parts[0].strip() or "未分类"
        subcategory = parts[-1].strip() if len(parts) > 1 else None
        if category.startswith(not_food):
            reject("category", f"“{category}”不属于食品安全监督抽检（包装材料、容器等），未导入")
            continue
        if not values.get("producer_name") and not values.get("sampled_unit"):
            reject("sampled_unit", "标称生产企业和被抽样单位都为空，无法确定是哪一批食品，未导入")
            continue
        announced = parse_date(raw_dates.get("announcement_date"))
        if announced is None and values.get("announcement_date"):
            reject("announcement_date",
                   f"无法识别日期“{values['announcement_date']}”，请使用 2024-01-05 这样的格式")
            continue
        verdict = _verdict(values.get("verdict"))
        if verdict == "?":
            reject("verdict", f"判定应为“合格”或“不合格”，这里是“{values.get('verdict')}”（可能列错位）")
            continue
        items = split_failed_items(values.get("failed_combined")) or _zip_items(
            values.get("failed_item"), values.get("failed_result"),
            values.get("failed_standard"), values.get("result_unit"))
        result = verdict or (FAILED if failed_table else PASSED)
        if result == FAILED and not items:
            reject("failed", "不合格批次缺少不合格项目，未导入")
            continue
        if result == FAILED and any(r is None and s is None for _, r, s in items):
            reject("failed", "不合格项目缺少检验结果和标准值（可能列错位），未导入")
            continue
        shifted = _looks_shifted(items) if result == FAILED else None
        if shifted:
            reject("failed", f"不合格项目、检验结果、标准值似乎错列（{shifted}），请核对原表后再导入")
            continue
        if result == PASSED:
            items = []
        production_raw = raw_dates.get("production_date")
        production_text = values.get("production_date")
        batch_text = values.get("batch_no")
        record = {
            "food_name": food.replace("\n", ""),
            "producer_name": values.get("producer_name"),
            "producer_address": values.get("producer_address"),
            "sampled_unit": (values.get("sampled_unit") or "").replace("\n", "") or None,
            "sampled_address": values.get("sampled_address"),
            "sampled_province": values.get("sampled_province"),
            "specification": values.get("specification"),
            "trademark": values.get("trademark"),
            "production_date": parse_date(production_raw),
            "production_batch": " ".join(p for p in (production_text, batch_text) if p) or None,
            "category": category, "subcategory": subcategory,
            "announcement_no": values.get("announcement_no"),
            "announcement_date": announced,
            "task_source": values.get("task_source"),
            "inspection_agency": values.get("inspection_agency"),
            "remark": values.get("remark"),
            "result": result,
        }
        if max(map(len, filter(None, cleaned)), default=0) > 100:  # only then check each limit
            too_long = [k for k, limit in LIMITS.items()
                        if (v := record.get(k)) is not None and len(v) > limit]
            if too_long:
                reject(too_long[0], f"内容过长（超过 {LIMITS[too_long[0]]} 个字），请检查是否列错位")
                continue
        cells_text = "\x1f".join([cleaned[i] or "" for i in content_cols if i < width])
        batches.append(ParsedBatch(row_no, record, items, cells_text))
    return batches, errors, data_rows
