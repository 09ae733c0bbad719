"""Downloads (CSV/XLSX) that are safe to open in a spreadsheet."""
from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.map(neutralise)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so that Excel on Chinese Windows opens it without garbling; lines end
    in CRLF as RFC 4180 (text/csv) has them, on every system. The one CSV writer: page
    downloads and the API's format=csv."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "数据", notes: list[str] | None = None) -> bytes:
    """An .xlsx with the data on the first sheet and notes (spec, date) on a second one."""
    import io

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, sheet_name=sheet, index=False)
        if notes:
            pd.DataFrame({"说明": notes}).to_excel(writer, sheet_name="说明", index=False)
    return buffer.getvalue()
