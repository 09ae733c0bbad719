import csv
import io

import openpyxl
import pandas as pd
import pytest

from conftest import SHARED
from portal.accounts.rules import cli_actor
from portal.exports import neutralise, to_csv_bytes, to_xlsx_bytes
from portal.importers.sampling import import_sampling
from portal.sampling import queries
from portal.sampling.spec import EXPORT_COLUMNS

pytestmark = pytest.mark.security


def test_formula_cells_are_neutralised():
    assert neutralise("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert neutralise("+1") == "'+1" and neutralise("-2") == "'-2" and neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("猪肉") == "猪肉" and neutralise(3) == 3


def test_sampling_export_has_fixed_columns_and_safe_cells(portal):
    data = ("食品名称,被抽样单位名称,标称生产企业名称,公告日期,判定\n"
            "=cmd|' /C calc'!A0,张家界市永定区某店,某厂,2025-01-01,合格\n").encode()
    with portal.db.write() as session:
        report = import_sampling(session, cli_actor("t"), data, "x.csv", portal.profile)
    assert report.imported == 1
    with portal.db.read() as session:
        rows = queries.export_rows(session, queries.SamplingFilter(scope="all"))
    frame = pd.DataFrame(rows, columns=[c for c, _ in EXPORT_COLUMNS])
    text = to_csv_bytes(frame).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == [c for c, _ in EXPORT_COLUMNS]
    assert parsed[1][1].startswith("'=")
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame, "抽检结果", ["数据日期：x"])))
    assert book.sheetnames == ["抽检结果", "说明"]
    assert book["抽检结果"]["B2"].value.startswith("'=")
    assert book["抽检结果"]["B2"].data_type == "s"
