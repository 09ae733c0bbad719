"""Files as officials upload them."""
from __future__ import annotations

import io

import openpyxl


def xlsx(rows) -> bytes:
    """An .xlsx workbook whose first sheet holds these rows (the first one is the header)."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
