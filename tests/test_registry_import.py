"""Importing the business registry, rating inspections and list entries."""
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.accounts.rules import cli_actor
from portal.importers.registry import import_registry
from portal.lists.models import ListEntry
from portal.ratings.models import Inspection
from portal.registry.codes import credit_code_problem
from portal.registry.models import Business

ACTOR = cli_actor("test")
BUSINESSES = """市场主体名称,统一社会信用代码,许可证编号,主体业态,经营场所,所属区县,纬度,经度
张家界市测试饭店,9144030071526726xg,JY24308021234567,餐馆,湖南省张家界市永定区人民路1号,永定区,,
慈利县某小学食堂,91330100799655058B,,学校食堂,慈利县零阳镇,慈利县,29.4,110.9
坏代码店,9144030071526726XH,,餐馆,永定区某路,永定区,,
短代码店,91440300715267,,餐馆,永定区某路,永定区,,
未知业态店,,,烧烤摊,永定区某路,永定区,,
外地坐标店,,,餐馆,永定区某路,永定区,39.9,116.4
地址推断店,,,小吃店,湖南省张家界市武陵源区军地路8号,,,
"""


def _run(portal, text: str, kind: str, **kw):
    with portal.db.write() as session:
        return import_registry(session, ACTOR, text.encode("utf-8"), f"{kind}.csv", kind,
                               portal.profile, **kw)


def test_credit_code_lower_case_is_accepted_after_normalising():
    assert credit_code_problem("9144030071526726xg".upper()) is None


def test_business_registry_import_validates_and_places(portal):
    report = _run(portal, BUSINESSES, "businesses")
    assert report.refused is None and report.rows == 7 and report.imported == 3
    by_row = {e["row"]: e for e in report.errors}
    assert by_row[4]["column"] == "统一社会信用代码" and "校验位" in by_row[4]["message"]
    assert "18 位" in by_row[5]["message"]
    assert by_row[6]["column"] == "主体业态"
    assert by_row[7]["column"] == "纬度"
    with portal.db.read() as session:
        rows = {b.name: b for b in session.scalars(select(Business))}
    assert rows["张家界市测试饭店"].credit_code == "9144030071526726XG"
    assert rows["张家界市测试饭店"].location_approximate          # no coordinates: district centre
    assert not rows["慈利县某小学食堂"].location_approximate
    assert rows["地址推断店"].district_adcode == "430811"           # district read from the address
    again = _run(portal, BUSINESSES, "businesses")
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 3)


def test_grades_and_lists_import(portal):
    _run(portal, BUSINESSES, "businesses")
    grades = _run(portal, "单位名称,统一社会信用代码,检查日期,评分\n"
                          "张家界市测试饭店,9144030071526726XG,2026-10-01,9.3\n"
                          "不存在的单位,,2026-09-01,8\n"
                          "张家界市测试饭店,,2026-10-02,12\n", "grades")
    assert grades.imported == 1 and {e["row"] for e in grades.errors} == {3, 4}
    lists = _run(portal, "名单类型,当事人名称,统一社会信用代码,列入原因,处罚决定书文号,列入日期\n"
                         "严重违法失信名单,张家界市测试饭店,9144030071526726XG,经营过期食品,张市监处罚〔2026〕1号,2026-03-01\n"
                         "红榜,慈利县某小学食堂,,示范食堂,,2026-01-10\n"
                         "黑榜,某店,,某原因,,2026-01-01\n", "lists")
    assert lists.imported == 2 and lists.errors[0]["column"] == "处罚决定书文号"
    with portal.db.read() as session:
        black = session.scalar(select(ListEntry).where(ListEntry.kind == "black"))
        assert black.business_id is not None
        assert (black.early_removal_from, black.ends_on) == (date(2027, 3, 1), date(2029, 3, 1))
        assert session.scalar(select(func.count()).select_from(Inspection)) == 1


def test_dry_run_and_refused_files_write_nothing(portal):
    report = _run(portal, BUSINESSES, "businesses", dry_run=True)
    assert report.imported == 3
    refused = _run(portal, "a,b\n1,2\n", "businesses")
    assert refused.refused and "表头" in refused.refused
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Business)) == 0


@pytest.mark.parametrize("kind", ["businesses", "grades", "lists"])
def test_cli_kinds_exist(kind):
    from portal.cli import build_parser

    args = build_parser().parse_args(["import", kind, "x.csv", "--json"])
    assert args.import_kind == kind and args.json
