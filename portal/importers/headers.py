"""Finding the header row of an uploaded table and mapping its columns through a synonym
table kept in data/ (real files put title rows above the header, rename columns and merge
header cells)."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

from portal.tables import TableError, clean_cell

HEADER_SCAN_ROWS = 30
SEPARATORS = re.compile(r"║|\|\||‖|\|")


def normalise_header(text: object) -> str:
    cleaned = clean_cell(text) or ""
    cleaned = re.sub(r"\s+", "", cleaned)
    return SEPARATORS.sub("║", cleaned).lower()


@lru_cache(maxsize=16)
def load_synonyms(path: str) -> dict[str, str]:
    """{normalised column name: field} from a JSON file of {field: [names…]}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {normalise_header(name): field_name for field_name, names in data.items()
            if not field_name.startswith("_") for name in names}


def locate_header(rows: list[list[object]], field_of: Callable[[object], str | None],
                  required: str, required_label: str, min_fields: int = 3
                  ) -> tuple[int, dict[int, str], dict[int, str]]:
    """(header row index, column -> field, column -> label as printed). A second header row
    under merged cells (e.g. 不合格项目 over 项目 | 检验结果 | 标准值) replaces the cells it names."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        fields = {i: f for i, c in enumerate(row) if (f := field_of(c))}
        if required in fields.values() and len(fields) >= min_fields:
            break
    else:
        raise TableError(f"找不到表头：前 {HEADER_SCAN_ROWS} 行里没有同时包含“{required_label}”等列名的行。"
                         "如果文件没有表头，请提供列名映射。")
    labels = {i: clean_cell(rows[index][i]) or "" for i in fields}
    if index + 1 < len(rows):
        below = rows[index + 1]
        sub = {i: f for i, c in enumerate(below) if (f := field_of(c))}
        key_col = next(i for i, f in fields.items() if f == required)
        if sub and not clean_cell(below[key_col] if key_col < len(below) else None):
            for i, f in sub.items():
                fields[i] = f
                labels[i] = clean_cell(below[i]) or ""
            index += 1
    return index, fields, labels
