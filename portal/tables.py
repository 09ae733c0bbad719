"""Read an uploaded table (.xlsx, .xls, .csv) into rows of cells, refusing what it cannot read.

Spreadsheets go through python-calamine (Rust; several times faster than openpyxl and reads
.xls too). The file type is decided by content, not by the name alone.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta

from portal.numbers import plain

MAX_BYTES = 50 * 1024 * 1024
# An .xlsx is a zip: refuse one that would expand beyond this, or by more than this ratio
# (a "zip bomb" renamed .xlsx would otherwise fill the memory of the process reading it).
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
MAX_ZIP_RATIO = 200
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EMPTY_MARKERS = {"", "/", "／", "—", "——", "-", "--", "——/", "无", "null", "NULL", "None", "nan"}
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_SPACES = re.compile(r"[ \t\u00a0]+")


class TableError(ValueError):
    """The file cannot be read at all; the message says why, in Chinese."""


def read_table(data: bytes, filename: str) -> list[list[object]]:
    if not data:
        raise TableError("文件是空的。请选择导出的公告表格文件。")
    if len(data) > MAX_BYTES:
        raise TableError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请拆分后再导入。")
    name = filename.lower()
    if data.startswith(XLSX_MAGIC):
        _check_zip(data)
        return _read_spreadsheet(data)
    if data.startswith(XLS_MAGIC):
        return _read_spreadsheet(data)
    if name.endswith((".xlsx", ".xls", ".xlsm")):
        raise TableError("文件扩展名是 Excel，但内容不是 Excel 表格（可能已损坏或被改名）。")
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise TableError("只能导入 .xlsx、.xls 或 .csv 文件。")


def _check_zip(data: bytes) -> None:
    """Look at the sizes the zip declares before anything is decompressed."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise TableError("无法读取这个 Excel 文件（文件已损坏）。") from None
    expanded = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if expanded > MAX_UNZIPPED_BYTES or expanded / packed > MAX_ZIP_RATIO:
        raise TableError("这个 Excel 文件解压后异常巨大（可能是恶意构造的压缩文件），已拒绝导入。"
                         "请用 Excel 重新另存为 .xlsx 后再试。")


def _read_spreadsheet(data: bytes) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        best: list[list[object]] = []
        for sheet_name in book.sheet_names:
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            if sum(1 for r in rows if any(c not in ("", None) for c in r)) > \
                    sum(1 for r in best if any(c not in ("", None) for c in r)):
                best = rows
    except Exception as exc:  # calamine raises several types for corrupt files
        raise TableError(f"无法读取这个 Excel 文件（可能已损坏或加密）：{type(exc).__name__}") from None
    if not best:
        raise TableError("表格里没有内容。")
    return best


def _read_csv(data: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV。")
    if "\x00" in text:
        raise TableError("文件含有空字符（NUL），不是文本表格。")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not any(any(c.strip() for c in r) for r in rows):
        raise TableError("表格里没有内容。")
    return rows


NEEDS_WORK = re.compile(r"[\uff01-\uff5e\u3000\r\n\t\u00a0\x00]|  ")


def clean_cell(value: object) -> str | None:
    """Text of a cell: full-width ASCII made half-width (superscripts such as ² are kept,
    unlike NFKC), runs of spaces folded, placeholders such as / and —— read as empty."""
    if value is None:
        return None
    if type(value) is str and not NEEDS_WORK.search(value):  # the common, clean case
        text = value.strip()
        return None if text in EMPTY_MARKERS else text
    if type(value) is int:  # sequence numbers, Excel serial dates
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, float):
        # A number cell: Excel keeps 15 significant digits; str() would write 5e-05 or 1e+16.
        return plain(value, 15)
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    text = str(value).translate(_FULLWIDTH).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()
    text = text.replace("\x00", "")
    return None if text in EMPTY_MARKERS else text


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_COMPACT_RE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(\d{2})(?!\d)")
EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: object) -> date | None:
    """Dates as date objects, Excel serials, or text in any common form; None if none."""
    if value is None or value == "":
        return None
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)  # the common 2024-01-05, without a regex
        except ValueError:
            pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # 1954..2119 as Excel serial days
            return EXCEL_EPOCH + timedelta(days=int(value))
        value = str(int(value))
    text = str(value).translate(_FULLWIDTH)
    for pattern in (_DATE_RE, _COMPACT_RE):
        match = pattern.search(text)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    if re.fullmatch(r"\d{5}(\.0+)?", text.strip()):
        return parse_date(float(text))
    return None
