"""快检 results: importing daily sheets in the layouts public 快检公示 use, the queries of the
public page, the follow-up of a positive, and demo data."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from helpers.db import count_rows, official
from portal.importers.rapid_tests import import_rapid_tests, parse_rows
from portal.rapid_tests import queries
from portal.rapid_tests.actions import update_follow_up
from portal.rapid_tests.models import (CASE_FILED, NEGATIVE, POSITIVE, REVIEW_CONFIRMED,
                                       REVIEW_PENDING, RapidFollowUp, RapidMarket, RapidTest,
                                       RapidTestImport)
from portal.rapid_tests.rules import public_trader, result_code
from portal.rapid_tests.schemas import RapidFilter
from portal.validation import InputError

DAY = date.today() - timedelta(days=2)
BOARD_HEADER = ["序号", "摊位号", "经营户", "样品名称", "检测项目", "检测方法", "抑制率（%）", "检测结果", "处理情况"]


def run_import(db, data: bytes, filename: str, actor, **options):
    """An import as a page runs it: in one transaction of the caller's."""
    with db.write() as session:
        return import_rapid_tests(session, actor, data, filename, **options)


def board(rows: list[list], market: str = "城东农贸市场", day: date = DAY) -> list[list]:
    """Layout 1: a market's daily board, market and day in the title rows, a footer."""
    return [[f"{market}食用农产品快速检测结果公示"], [f"检测日期：{day:%Y年%m月%d日}"], BOARD_HEADER,
            *rows, ["检测员：赵某", "", "审核：钱某"]]


def as_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[list], tmp_path) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / "sheet.xlsx"
    book.save(path)
    return path.read_bytes()


GOOD = board([
    [1, "A01", "张三", "菠菜", "有机磷和氨基甲酸酯类农药残留", "酶抑制率法", 12.5, "合格", ""],
    [2, "A02", "李记蔬菜店", "韭菜", "有机磷和氨基甲酸酯类农药残留", "酶抑制率法", "62.1", "不合格", "已下架并现场销毁"],
    [3, "B01", "王五", "猪肉", "克伦特罗", "胶体金", "", "阴性", ""],
])


@pytest.fixture
def publisher(portal):
    return official(portal, "publisher")


def test_result_words_map_to_codes():
    assert result_code("阴性") == result_code("合格") == NEGATIVE
    assert result_code("阳性") == result_code("不合格") == result_code("初筛阳性") == POSITIVE
    assert result_code("可疑") is None
    assert public_trader("张三") == "张某"
    assert public_trader("李记蔬菜店") == "李记蔬菜店"
    assert public_trader("王五 13812345678") == "王五 138****5678"


def test_a_daily_board_imports_with_market_and_day_from_the_title(portal, publisher):
    report = run_import(portal.db, as_csv(GOOD), "board.csv", publisher)
    assert (report.refused, report.rows, report.imported, report.rejected) == (None, 3, 3, 0)
    with portal.db.read() as session:
        tests = session.scalars(select(RapidTest).order_by(RapidTest.stall)).all()
        assert {t.market.name for t in tests} == {"城东农贸市场"}
        assert {t.tested_on for t in tests} == {DAY}
        leek = next(t for t in tests if t.sample == "韭菜")
        assert (leek.result, leek.value) == (POSITIVE, "62.1%")
        assert leek.follow_up.review == REVIEW_PENDING
        assert leek.follow_up.measures == "下架、销毁"
        assert next(t for t in tests if t.sample == "猪肉").follow_up is None


def test_a_month_sheet_with_synonyms_and_an_xlsx(portal, publisher, tmp_path):
    rows = [["2026年某区农贸市场快检结果汇总"], [],
            ["编号", "抽样日期", "受检市场", "档口", "被检单位", "品名", "快检项目", "方法", "结论", "处置措施"],
            [1, DAY.isoformat(), "西门菜市场", "12", "赵六", "银耳", "二氧化硫", "比色法", "阳性", "下架"],
            [2, (DAY - timedelta(days=1)).strftime("%Y/%m/%d"), "南站农贸市场", "3", "孙七", "鸡蛋",
             "恩诺沙星", "胶体金", "阴性", ""]]
    report = run_import(portal.db, as_xlsx(rows, tmp_path), "month.xlsx", publisher)
    assert (report.refused, report.imported, report.errors) == (None, 2, [])
    assert count_rows(portal, RapidMarket) == 2


def test_inhibition_alone_decides_the_result(portal, publisher):
    rows = [["东门市场蔬菜农药残留快速检测公示"], [f"日期：{DAY.isoformat()}"],
            ["摊位", "经营者", "样品名称", "抑制率(%)"], ["1", "周八", "芹菜", "55"], ["2", "吴九", "生菜", "8.5%"]]
    report = run_import(portal.db, as_csv(rows), "x.csv", publisher)
    assert report.imported == 2, report
    with portal.db.read() as session:
        results = dict(session.execute(select(RapidTest.sample, RapidTest.result)).all())
        items = set(session.scalars(select(RapidTest.item)))
    assert results == {"芹菜": POSITIVE, "生菜": NEGATIVE}
    assert items == {"有机磷和氨基甲酸酯类农药残留"}


def test_bad_rows_are_reported_by_row_and_column_and_left_out(portal, publisher):
    rows = board([
        [1, "A01", "张三", "菠菜", "农药残留", "", "", "可疑", ""],
        [2, "A02", "李四", "", "农药残留", "", "", "阴性", ""],
        [3, "A03", "王五", "芹菜", "农药残留", "", "", "阴性", ""],
        [4, "A04", "x" * 500, "芹菜", "甲醛", "", "", "阴性", ""],
    ])
    report = run_import(portal.db, as_csv(rows), "x.csv", publisher)
    assert report.imported == 1
    assert [(e["row"], e["column"]) for e in report.errors] == [
        (4, "检测结果"), (5, "样品名称"), (7, "经营户")]


def test_a_future_day_is_refused_for_its_row(portal, publisher):
    rows = board([[1, "A01", "张三", "菠菜", "农药残留", "", "", "阴性", ""]],
                 day=date.today() + timedelta(days=3))
    report = run_import(portal.db, as_csv(rows), "x.csv", publisher)
    assert report.imported == 0 and report.errors[0]["column"] == "检测日期"


@pytest.mark.parametrize("rows, words", [
    ([["市场", "样品名称", "检测项目"], ["甲市场", "菠菜", "农残"]], "检测结果"),
    ([["样品名称", "检测项目", "检测结果"], ["菠菜", "农残", "阴性"]], "市场名称"),
    ([["市场名称", "样品名称", "检测项目", "检测结果"], ["甲市场", "菠菜", "农残", "阴性"]], "检测日期"),
    ([["姓名", "电话"], ["张三", "1"]], "找不到表头"),
])
def test_a_refused_file_writes_nothing(portal, publisher, rows, words):
    report = run_import(portal.db, as_csv(rows), "x.csv", publisher)
    assert report.refused and words in report.refused
    assert count_rows(portal, RapidTest) == count_rows(portal, RapidTestImport) == 0
    assert count_rows(portal, RapidMarket) == 0


def test_a_renamed_file_that_is_not_excel_is_refused(portal, publisher):
    report = run_import(portal.db, b"not a spreadsheet", "x.xlsx", publisher)
    assert "不是 Excel" in report.refused
    assert count_rows(portal, RapidTest) == 0


def test_reimport_adds_nothing_and_a_correction_updates(portal, publisher):
    run_import(portal.db, as_csv(GOOD), "board.csv", publisher)
    again = run_import(portal.db, as_csv(GOOD), "board.csv", publisher)
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 3)
    corrected = [list(r) for r in GOOD]
    corrected[3][7] = "不合格"     # 菠菜 was positive after all
    fixed = run_import(portal.db, as_csv(corrected), "board.csv", publisher)
    assert (fixed.imported, fixed.updated, fixed.duplicates) == (0, 1, 2)
    assert count_rows(portal, RapidTest) == 3
    assert count_rows(portal, RapidFollowUp) == 2


def test_a_dry_run_writes_nothing(portal, publisher):
    report = run_import(portal.db, as_csv(GOOD), "x.csv", publisher, dry_run=True)
    assert report.imported == 3
    assert count_rows(portal, RapidTest) == count_rows(portal, RapidMarket) == 0


def test_hostile_text_is_stored_as_text(portal, publisher):
    hostile = "<script>alert(1)</script>**粗体**[链接](javascript:x)"
    rows = board([[1, "=cmd|' /C calc'!A0", hostile, "菠菜", "农残", "", "", "阴性", ""]],
                 market="'; DROP TABLE rapid_tests;--市场")
    report = run_import(portal.db, as_csv(rows), "x.csv", publisher)
    assert report.imported == 1, report
    with portal.db.read() as session:
        test = session.scalar(select(RapidTest))
        assert test.trader == hostile and test.sample == "菠菜"
        assert test.market.name == "'; DROP TABLE rapid_tests;--市场"


def test_a_stall_links_to_a_registered_business(portal, publisher):
    from helpers.complaints import add_business

    business_id = add_business(portal)
    with portal.db.read() as session:
        from portal.registry.models import Business
        name = session.get(Business, business_id).name
    rows = board([[1, "A01", name, "菠菜", "农残", "", "", "阳性", "下架"]])
    run_import(portal.db, as_csv(rows), "x.csv", publisher)
    with portal.db.read() as session:
        found = queries.business_results(session, business_id)
    assert [t.sample for t in found] == ["菠菜"]


def _import_some(portal, publisher):
    rows = board([
        [1, "A01", "张三", "菠菜", "农残", "", "", "阴性", ""],
        [2, "A02", "李四", "韭菜", "农残", "", "", "阳性", "下架"],
        [3, "A03", "王五", "小白菜", "农残", "", "", "阴性", ""]])
    run_import(portal.db, as_csv(rows), "a.csv", publisher)
    older = board([[1, "C01", "钱七", "菠菜", "农残", "", "", "阴性", ""]], market="西门菜市场",
                  day=DAY - timedelta(days=40))
    run_import(portal.db, as_csv(older), "b.csv", publisher)


def test_queries_of_the_public_page(portal, publisher):
    _import_some(portal, publisher)
    with portal.db.read() as session:
        assert queries.latest_day(session) == DAY
        summary = queries.day_summary(session, DAY)
        assert [(d.name, d.tests, d.positives) for d in summary] == [("城东农贸市场", 3, 1)]
        market = summary[0].market_id
        assert [t.sample for t in queries.market_day(session, market, DAY)][0] == "韭菜"
        history = queries.market_history(session, market)
        assert (history[0].tests, history[0].positives, history[0].pass_rate) == (3, 1, 66.7)
        total, found = queries.search(session, RapidFilter(q="菠菜"))
        assert total == 2 and {t.market.name for t in found} == {"城东农贸市场", "西门菜市场"}
        total, found = queries.search(session, RapidFilter(q="西门"))
        assert total == 1
        total, found = queries.search(session, RapidFilter(q="菜"))
        assert found[0].result == POSITIVE          # positives first
        assert queries.search(session, RapidFilter(q="%"))[0] == 0
        assert queries.search(session, RapidFilter(q="没有这种菜"))[0] == 0
        assert queries.year_figures(session, DAY.year)[:2] >= (1, 1)


def test_follow_up_of_a_positive(portal, publisher):
    _import_some(portal, publisher)
    with portal.db.read() as session:
        positive = session.scalar(select(RapidTest.id).where(RapidTest.result == POSITIVE))
        negative = session.scalar(select(RapidTest.id).where(RapidTest.result == NEGATIVE))
    with portal.db.write() as session:
        update_follow_up(session, publisher, positive, {
            "review": REVIEW_CONFIRMED, "reviewed_on": DAY, "measures": ["下架", "销毁"],
            "measures_on": DAY, "case_status": CASE_FILED, "case_filed_on": DAY})
    with portal.db.read() as session:
        follow = session.get(RapidFollowUp, positive)
        assert (follow.review, follow.case_status, follow.measures) == (REVIEW_CONFIRMED, CASE_FILED, "下架、销毁")
    for data, field in [({"review": REVIEW_CONFIRMED}, "_"),
                        ({"case_status": CASE_FILED}, "_"),
                        ({"measures": ["枪毙"]}, "measures"),
                        ({"review": "maybe"}, "review")]:
        with pytest.raises(InputError) as caught, portal.db.write() as session:
            update_follow_up(session, publisher, positive, data)
        assert field in caught.value.errors
    with pytest.raises(InputError), portal.db.write() as session:
        update_follow_up(session, publisher, negative, {})


def test_demo_data_at_small_scale(portal):
    from portal.demo import generator

    written = generator.generate(portal.db, portal.profile, "small")
    assert written["rapid_tests"] == generator.SCALES["small"]["rapid_tests"]
    with portal.db.read() as session:
        day = queries.latest_day(session)
        assert day is not None and queries.day_summary(session, day)
        assert queries.any_demo(session)
        positives = session.scalar(select(RapidTest.id).where(RapidTest.result == POSITIVE).limit(1))
        assert session.get(RapidFollowUp, positives) is not None
    generator.clear(portal.db)
    assert count_rows(portal, RapidTest) == count_rows(portal, RapidFollowUp) == 0


def test_open_data_endpoint(portal, publisher):
    from test_api import make_client

    _import_some(portal, publisher)
    api = make_client(portal)
    body = api.get("/rapid-tests?q=菜&limit=2").json()
    assert body["meta"]["total"] == 4 and len(body["data"]) == 2 and body["meta"]["next"]
    first = body["data"][0]
    assert first["result"] == "positive" and first["follow_up"]["review"] == "pending"
    assert first["trader"] == "李某" and first["market"] == "城东农贸市场"
    assert api.get("/rapid-tests?result=negative").json()["meta"]["total"] == 3
    assert api.get("/rapid-tests?result=maybe").status_code == 422
    assert api.get("/rapid-tests?nonsense=1").status_code == 400
    assert api.get(f"/rapid-tests?date_from={DAY.isoformat()}").json()["meta"]["total"] == 3
    csv_text = api.get("/rapid-tests?format=csv").content.decode("utf-8-sig")
    header = csv_text.splitlines()[0]
    assert header.startswith("id,tested_on,market_id,market") and "follow_up_review" in header
    spec = api.get("/openapi.json").json()
    assert "/rapid-tests" in spec["paths"]
    modified = api.get("/rapid-tests").headers["last-modified"]
    assert api.get("/rapid-tests", headers={"If-Modified-Since": modified}).status_code == 304


def test_a_third_party_sheet_with_pass_fail_words(portal, publisher):
    """Layout 3: a third party's sheet, 档口 and 合格/不合格, the day in the title."""
    rows = [[f"香洲区农贸市场和超市快检结果公示（{DAY:%Y年%m月%d日}）"], [],
            ["市场名称", "档口", "样品", "检测项目", "结果", "处理措施"],
            ["北山市场", "12", "芥兰", "有机磷和氨基甲酸酯类农药残留", "不合格", "下架并现场销毁，三天内复抽"],
            ["北山市场", "15", "鲈鱼", "孔雀石绿", "合格", ""]]
    report = run_import(portal.db, as_csv(rows), "x.csv", publisher)
    assert (report.refused, report.imported, report.errors) == (None, 2, [])
    with portal.db.read() as session:
        kale = session.scalar(select(RapidTest).where(RapidTest.sample == "芥兰"))
        assert (kale.tested_on, kale.result, kale.follow_up.measures) == (DAY, POSITIVE, "下架、销毁、复抽")


def test_the_demo_month_sheet_imports_whole(portal, publisher, tmp_path):
    from portal.demo.rapid_tests import write_month_sheet

    path = write_month_sheet(tmp_path / "month.xlsx", 120, DAY.replace(day=1) - timedelta(days=40),
                             ["演示甲农贸市场", "演示乙菜市场"])
    report = run_import(portal.db, path.read_bytes(), path.name, publisher)
    assert (report.refused, report.rows, report.imported, report.errors) == (None, 120, 120, [])
