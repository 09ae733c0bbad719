"""Fixed column spec of list downloads (CSV/XLSX), version 1."""
from __future__ import annotations

from portal.lists.models import BLACK, ListEntry

SPEC_VERSION = "1"
EXPORT_COLUMNS = [
    ("名单", "黑榜（严重违法失信名单）或 红榜"),
    ("名称", "经营主体名称"),
    ("统一社会信用代码", "18 位"),
    ("列入原因", ""),
    ("处罚决定书文号", "黑榜"),
    ("作出决定机关", ""),
    ("列入日期", "YYYY-MM-DD"),
    ("可申请提前移出日期", "黑榜：列入满一年"),
    ("移出日期", "黑榜：到期移出日期；红榜：表彰期结束日期"),
]


def export_record(entry: ListEntry) -> dict:
    values = ["黑榜" if entry.kind == BLACK else "红榜", entry.business_name, entry.credit_code,
              entry.reason, entry.decision_no, entry.authority, entry.listed_on,
              entry.early_removal_from, entry.ends_on]
    return {name: ("" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v))
            for (name, _), v in zip(EXPORT_COLUMNS, values)}
