"""The announcement importer on the real files in ../shared and on crafted messy tables."""
import io
import json
import os
import subprocess
import sys
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from conftest import ROOT, SHARED
from helpers.cli import call_cli
from helpers.db import count_rows
from portal.accounts.rules import cli_actor
from portal.importers.sampling import import_sampling
from portal.importers.sampling_parse import split_failed_items
from portal.tables import parse_date
from portal.sampling.models import Disposal, FailedItem, SamplingBatch, SamplingImport

REAL = SHARED / "data" / "real" / "sampling"
ACTOR = cli_actor("test")
CQN_COLUMNS = ("id,title,publish_time,info_sources,company_name,company_address,sampled_unit,"
               "sampled_address,sample_name,specification_type,trademark,production_date,"
               "factory_num,approval_num,unqualified,test_value,standard,sampling_unit,"
               "inspection_institution,source_url").split(",")


def _import(portal, data: bytes, name: str, **kw):
    with portal.db.write() as session:
        return import_sampling(session, ACTOR, data, name, portal.profile, **kw)


def _xlsx(rows, merges=(), title_rows=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [*title_rows, *rows]:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- real files -------------------------------------------------------------------------------

def test_real_domestic_file_flags_non_food_and_is_idempotent(portal):
    data = (REAL / "foodmate_2022_domestic_YEJC1992.csv").read_bytes()
    first = _import(portal, data, "domestic.csv", outside="keep")
    assert first.refused is None and first.rows == 721
    assert first.rejected == 28  # 食品相关产品 (packaging and utensils) are not food sampling
    assert all("食品相关产品" in e["message"] for e in first.errors)
    assert first.imported + first.duplicates + first.rejected == 721
    assert first.imported > 600
    second = _import(portal, data, "domestic.csv", outside="keep")
    assert second.imported == 0 and second.updated == 0
    assert second.duplicates == first.imported + first.duplicates
    assert count_rows(portal, SamplingBatch) == first.imported
    with portal.db.read() as session:
        name = session.scalar(select(SamplingBatch.producer_name).where(
            SamplingBatch.producer_name.like("天津顶益%")).limit(1))
    assert name == "天津顶益食品有限公司"  # the trailing space of the scrape is gone


FROZEN = REAL / "foodmate_2022_frozen_unqualified_YEJC1992.csv"   # 35 failed batches, none here


def test_real_other_province_file_is_counted_outside_and_needs_a_choice(portal):
    trial = _import(portal, FROZEN.read_bytes(), "frozen.csv", dry_run=True)
    assert trial.refused is None and trial.outside == 35 and trial.imported == 35
    assert trial.as_json()["outside"] == 35
    unchosen = _import(portal, FROZEN.read_bytes(), "frozen.csv")
    assert unchosen.refused and "35 个批次不能确认是在张家界市抽样的" in unchosen.refused
    assert count_rows(portal, SamplingBatch) == 0 and count_rows(portal, SamplingImport) == 0


def test_real_other_province_file_skipped_writes_none_of_it(portal):
    report = _import(portal, FROZEN.read_bytes(), "frozen.csv", outside="skip")
    assert report.refused is None and (report.outside, report.skipped, report.imported) == (35, 35, 0)
    assert count_rows(portal, SamplingBatch) == 0 and count_rows(portal, Disposal) == 0 and count_rows(portal, FailedItem) == 0


def test_real_other_province_file_kept_as_outside_has_no_disposal_duty(portal):
    from portal.overview import disposal_part
    from portal.sampling import disposal, queries

    report = _import(portal, FROZEN.read_bytes(), "frozen.csv", outside="keep")
    assert report.rejected == 0 and report.imported == 35 and report.duplicates == 1
    assert report.outside == 35 and report.skipped == 0
    far_future = date(2040, 1, 1)   # long past any deadline these batches could have had
    with portal.db.read() as session:
        batches = session.scalars(select(SamplingBatch)).all()
        assert len(batches) == 35 and {b.result for b in batches} == {"不合格"}
        assert not any(b.in_jurisdiction or b.disposal_duty or b.disposal for b in batches)
        values = session.scalars(select(FailedItem.result_value)).all()
        assert any("10²" in v for v in values if v)   # superscripts kept as published
        assert session.scalar(select(func.count()).select_from(Disposal)) == 0
        assert queries.disposal_summary(session, far_future) == {"pending": 0, "checking": 0,
                                                                 "done": 0, "overdue": 0}
        assert disposal.queue(session, today=far_future) == []
        assert disposal_part(session, far_future).figures[0][1] == "0"
        total, found = queries.search(session, queries.SamplingFilter(scope="all"))
        assert total == 35        # published, under 所有已导入批次
        assert queries.search(session, queries.SamplingFilter())[0] == 0   # not among local results


def test_outside_batches_never_count_as_overdue_even_with_an_old_disposal_row(portal):
    """A database from before this rule may hold 待核查 rows for 外地 batches: they are not
    this bureau's duty, so no figure or queue counts them and no one can update them."""
    from portal.accounts.rules import cli_actor as actor
    from portal.sampling import disposal, queries
    from portal.validation import InputError

    _import(portal, FROZEN.read_bytes(), "frozen.csv", outside="keep")
    with portal.db.write() as session:
        ids = session.scalars(select(SamplingBatch.id)).all()
        session.add_all(Disposal(batch_id=i, status="pending", due_on=date(2022, 6, 1)) for i in ids)
    with portal.db.read() as session:
        assert queries.disposal_summary(session, date(2026, 1, 1))["overdue"] == 0
        assert disposal.queue(session) == []
    with pytest.raises(InputError, match="外地批次"), portal.db.write() as session:
        disposal.update_disposal(session, actor("t"), ids[0], {"status": "checking"})


def test_unrecognised_local_rows_can_be_published_as_local(portal):
    """永定区 is also in 龙岩: without the city's name a row is not recognised as local, and a
    bureau whose own file omits the city says so (LOCAL); 慈利县 is unique and needs no city."""
    header = ["食品名称", "被抽样单位名称", "被抽样单位地址", "公告日期", "不合格项目║检验结果║标准值"]
    rows = [["腊肉", "某某超市", "永定区人民路1号", "2025-03-01", "亚硝酸盐║45mg/kg║≤30mg/kg"],
            ["豆腐", "某某菜场", "慈利县零阳镇", "2025-03-01", "铝的残留量║350mg/kg║≤100mg/kg"]]
    data = _xlsx([header, *rows])
    assert _import(portal, data, "own.xlsx", dry_run=True).outside == 1
    report = _import(portal, data, "own.xlsx", outside="local")
    assert (report.imported, report.outside, report.skipped) == (2, 1, 0)
    with portal.db.read() as session:
        batches = {b.food_name: b for b in session.scalars(select(SamplingBatch))}
    assert batches["豆腐"].district_adcode == "430821"
    assert all(b.in_jurisdiction and b.disposal_duty and b.disposal for b in batches.values())


def test_unique_district_names_agree_with_the_national_table():
    import csv
    from collections import Counter

    from portal.registry.profiles import available_profiles, load_profile

    table = SHARED / "data" / "real" / "adcodes" / "cpca-0.5.5_adcodes.csv"
    if not table.exists():
        pytest.skip("the cpca adcode table is not in ../shared")
    with open(table, encoding="utf-8") as handle:
        names = Counter(row["name"] for row in csv.DictReader(handle))
    for slug in available_profiles():
        for district in load_profile(slug).districts:
            assert district.unique_name == (names[district.name] == 1), (slug, district.name)


def test_real_target_cities_are_placed_in_the_jurisdiction(portal):
    report = _import(portal, (REAL / "foodmate_2021_2022_target_cities_subset_YEJC1992.csv")
                     .read_bytes(), "cities.csv", outside="keep")
    assert report.rejected == 0 and report.outside == 160
    with portal.db.read() as session:
        local = session.execute(select(SamplingBatch.sampled_unit, SamplingBatch.district_adcode)
                                .where(SamplingBatch.in_jurisdiction.is_(True))).all()
    units = {u for u, _ in local}
    assert "张家界市永定区有味超市" in units and "张家界澧水商贸有限公司" in units
    assert not any("漳州" in u or "天津" in u or "嘉兴" in u for u in units)
    assert ("张家界市武陵源区亘立商贸有限公司", "430811") in local
    assert len(local) == 9


def test_real_headerless_scrape_is_refused_unless_columns_are_given(portal):
    data = (REAL / "cqn_2019_unqualified_scrape_TengTengCai.csv").read_bytes()
    refused = _import(portal, data, "cqn.csv")
    assert refused.refused and "表头" in refused.refused
    assert count_rows(portal, SamplingBatch) == 0 and count_rows(portal, SamplingImport) == 0
    mapped = _import(portal, data, "cqn.csv", column_names=CQN_COLUMNS, outside="keep")
    assert mapped.refused is None and mapped.rows == 385
    messages = " ".join(e["message"] for e in mapped.errors)
    assert "药监" in messages and "缺少食品名称" in messages and "错列" in messages
    with portal.db.read() as session:
        items = session.scalars(select(FailedItem.item)).all()
    # No number, limit or laboratory ended up as the name of a failed item.
    assert items and not any(i[0].isdigit() or i.startswith(("≤", "n=")) for i in items)


# --- crafted messy files ----------------------------------------------------------------------

FAILED_HEADER = ["序号", "标称生产企业名称", "标称生产企业地址", "被抽样单位名称", "被抽样单位地址",
                 "食品名称", "规格型号", "商标", "生产日期/批号", "不合格项目║检验结果║标准值",
                 "分类", "公告号", "公告日期", "检验机构", "备注"]


def _failed_rows():
    return [
        [1, "湖南某某食品有限公司", "湖南省长沙市", "张家界市永定区某某超市", "张家界市永定区人民路1号",
         "辣椒酱", "250g/瓶", "某牌", "2024-01-05", "苯甲酸及其钠盐(以苯甲酸计)║1.2g/kg║≤1.0g/kg",
         "调味品", "2024年第3期", 45300, "张家界市食品检验所", "/"],
        [2, "ＡＢＣ食品厂", "——", "慈利县某店", "/", "腊肉", "散装", "/", "20240203",
         "铅(以Pb计)||0.35mg/kg||≤0.2mg/kg\n亚硝酸盐║45mg/kg║≤30mg/kg", "肉制品",
         "2024年第3期", "2024年3月8日", "张家界市食品检验所", ""],
    ]


def test_crafted_xlsx_with_title_rows_serial_dates_and_fullwidth(portal):
    data = _xlsx(_failed_rows(), title_rows=[["张家界市市场监督管理局食品安全监督抽检不合格产品信息"],
                                            ["（声明：以下信息仅指本次抽检标称的生产企业相关产品的生产日期/批号和所检项目）"],
                                            FAILED_HEADER])
    report = _import(portal, data, "不合格.xlsx")
    assert report.refused is None and report.errors == [] and report.imported == 2
    with portal.db.read() as session:
        batches = {b.food_name: b for b in session.scalars(select(SamplingBatch))}
        chilli, bacon = batches["辣椒酱"], batches["腊肉"]
        assert chilli.announcement_date == date(2024, 1, 9)   # Excel serial 45300
        assert chilli.production_date == date(2024, 1, 5)
        assert chilli.district_adcode == "430802" and chilli.in_jurisdiction
        assert bacon.producer_name == "ABC食品厂"               # full-width made half-width
        assert bacon.producer_address is None                   # —— is empty
        assert bacon.production_date == date(2024, 2, 3)
        assert bacon.announcement_date == date(2024, 3, 8)
        assert [(i.item, i.result_value, i.standard_value) for i in bacon.failed_items] == [
            ("铅(以Pb计)", "0.35mg/kg", "≤0.2mg/kg"), ("亚硝酸盐", "45mg/kg", "≤30mg/kg")]
        assert bacon.result == "不合格" and bacon.disposal.status == "pending"


def test_crafted_merged_two_row_header(portal):
    header1 = ["序号", "食品名称", "被抽样单位名称", "标称生产企业名称", "不合格项目", "", "", "公告日期"]
    header2 = ["", "", "", "", "项目", "检验结果", "标准值", ""]
    row = [1, "豆腐", "张家界市桑植县某菜场", "桑植县某豆腐坊", "铝的残留量", "350mg/kg", "≤100mg/kg", "2025-06-01"]
    data = _xlsx([header1, header2, row], merges=["E1:G1"])
    report = _import(portal, data, "merged.xlsx")
    assert report.errors == [] and report.imported == 1
    with portal.db.read() as session:
        item = session.scalar(select(FailedItem))
    assert (item.item, item.result_value, item.standard_value) == ("铝的残留量", "350mg/kg", "≤100mg/kg")


def test_passed_table_gb18030_csv_with_renamed_columns(portal):
    text = ("样品名称,供应商,生产商,生产日期,产品分类,发布日期\n"
            "大米,张家界市永定区米店,湖南米业有限公司,2025/5/1,粮食加工品-->大米,2025.06.20\n")
    report = _import(portal, text.encode("gb18030"), "合格.csv")
    assert report.errors == [] and report.imported == 1
    with portal.db.read() as session:
        batch = session.scalar(select(SamplingBatch))
    assert batch.result == "合格" and batch.category == "粮食加工品" and batch.subcategory == "大米"
    assert batch.announcement_date == date(2025, 6, 20) and batch.disposal is None


def test_corrected_file_updates_the_rows_it_corrects(portal):
    rows = _failed_rows()
    _import(portal, _xlsx([FAILED_HEADER, *rows]), "v1.xlsx")
    rows[0][14] = "经复检维持原结论"            # a corrected remark
    rows[1][9] = "铅(以Pb计)║0.36mg/kg║≤0.2mg/kg"  # a corrected result, one item fewer
    report = _import(portal, _xlsx([FAILED_HEADER, *rows]), "v2.xlsx")
    assert (report.imported, report.updated, report.duplicates) == (0, 2, 0)
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(SamplingBatch)) == 2
        assert session.scalar(select(func.count()).select_from(FailedItem)) == 2
        assert session.scalar(select(func.count()).select_from(Disposal)) == 2


def test_same_rows_in_two_tables_starting_at_row_one_are_distinct_batches(portal):
    header = ["序号", "食品名称", "被抽样单位名称", "公告日期"]
    a = _xlsx([header, [1, "鸡蛋", "张家界市永定区甲店", "2025-01-02"]])
    b = _xlsx([header, [1, "鸭蛋", "张家界市永定区乙店", "2025-01-02"]])
    assert _import(portal, a, "a.xlsx").imported == 1
    assert _import(portal, b, "b.xlsx").imported == 1


@pytest.mark.parametrize("data,name,fragment", [
    (b"", "x.xlsx", "空"),
    (b"PK\x03\x04 this is not really a workbook", "x.xlsx", "无法读取"),
    (b"hello", "x.xlsx", "不是 Excel"),
    (b"%PDF-1.4", "x.pdf", "只能导入"),
    ("食品,价格\n苹果,3\n".encode(), "x.csv", "找不到表头"),
    ("序号,食品名称,被抽样单位名称,公告日期\n".encode(), "x.csv", "没有数据行"),
])
def test_unreadable_files_are_refused_and_write_nothing(portal, data, name, fragment):
    report = _import(portal, data, name)
    assert report.refused and fragment in report.refused
    assert count_rows(portal, SamplingBatch) == 0 and count_rows(portal, SamplingImport) == 0


def test_row_level_report_names_row_column_and_problem(portal):
    header = ["序号", "食品名称", "被抽样单位名称", "标称生产企业名称", "公告日期", "判定"]
    rows = [[1, "", "某店", "某厂", "2025-01-01", "合格"],
            [2, "面包", "", "", "2025-01-01", "合格"],
            [3, "面包", "某店", "某厂", "上个月", "合格"],
            [4, "面包", "某店", "某厂", "2025-01-01", "待定"],
            [5, "面包", "某店", "某厂", "2025-01-01", "不合格"],
            [6, "饼干", "某店", "某厂", "2025-01-01", "合格"]]
    report = _import(portal, _xlsx([header, *rows]), "bad.xlsx", outside="local")
    by_row = {e["row"]: e for e in report.errors}
    assert set(by_row) == {2, 3, 4, 5, 6}
    assert by_row[2]["column"] == "食品名称"
    assert "上个月" in by_row[4]["message"] and by_row[4]["column"] == "公告日期"
    assert by_row[5]["column"] == "判定"
    assert "不合格项目" in by_row[6]["message"]
    assert report.imported == 1


def test_dry_run_writes_nothing(portal):
    report = _import(portal, _xlsx([FAILED_HEADER, *_failed_rows()]), "x.xlsx", dry_run=True)
    assert report.imported == 2 and report.import_id is None
    assert count_rows(portal, SamplingBatch) == 0 and count_rows(portal, SamplingImport) == 0


def test_split_failed_items_variants():
    assert split_failed_items("甲║1║≤0.5；乙║2║≤1") == [("甲", "1", "≤0.5"), ("乙", "2", "≤1")]
    assert split_failed_items("菌落总数||n=5,c=2||m=10") == [("菌落总数", "n=5,c=2", "m=10")]
    assert split_failed_items(None) == []


@pytest.mark.parametrize("raw,expected", [
    ("2024-01-05", date(2024, 1, 5)), ("2024/1/5", date(2024, 1, 5)),
    ("2024年1月5日", date(2024, 1, 5)), ("20240105", date(2024, 1, 5)),
    ("2024.01.05", date(2024, 1, 5)), (45296, date(2024, 1, 5)), (45296.0, date(2024, 1, 5)),
    ("２０２４－０１－０５", date(2024, 1, 5)), ("批号A12", None), ("2024-02-30", None),
])
def test_parse_date_forms(raw, expected):
    assert parse_date(raw) == expected


def test_cli_json_and_exit_codes(tmp_path, db_url):
    env = {**os.environ, "PORTAL_DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp_path),
           "PORTAL_DEMO": "0"}
    good = REAL / "foodmate_2022_frozen_unqualified_YEJC1992.csv"
    command = [sys.executable, "-m", "portal", "import", "sampling", str(good)]
    trial = subprocess.run([*command, "--dry-run"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=120)
    assert trial.returncode == 0, trial.stderr
    assert "其中 35 个批次不能确认是在张家界市抽样的" in trial.stdout and "--outside" in trial.stdout
    unchosen = subprocess.run([*command, "--json"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
    assert unchosen.returncode == 2
    assert json.loads(unchosen.stdout.strip().splitlines()[-1])["outside"] == 35
    # The same command in this process for the rest (tests/helpers/cli.py): the two processes
    # above showed the real entry point's output and exit codes.
    run = call_cli(["import", "sampling", str(good), "--json", "--outside", "keep"], env)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(report) == {"rows", "imported", "updated", "duplicates", "rejected", "outside",
                           "skipped", "errors"}
    assert report["imported"] == 35 and report["outside"] == 35
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"garbage")
    run = call_cli(["import", "sampling", str(bad), "--json"], env)
    assert run.returncode == 2 and "refused" in json.loads(run.stdout.strip().splitlines()[-1])


def test_two_character_search_uses_the_pair_index_and_stays_exact(portal):
    from portal.sampling import queries

    header = ["食品名称", "被抽样单位名称", "标称生产企业名称", "公告日期", "判定"]
    rows = [["猪肉松", "张家界市永定区甲店", "某厂", "2025-01-01", "合格"],
            ["酱卤猪肉", "张家界市永定区乙店", "某厂", "2025-01-02", "合格"],
            ["肉松猪", "张家界市永定区丙店", "某厂", "2025-01-03", "合格"],   # 猪 and 肉 not adjacent
            ["牛肉", "张家界市永定区猪肉铺", "某厂", "2025-01-04", "合格"],   # match in the unit name
            ["Pork-ABC", "张家界市永定区丁店", "某厂", "2025-01-05", "合格"]]
    assert _import(portal, _xlsx([header, *rows]), "s.xlsx").imported == 5
    with portal.db.read() as session:
        def names(q, **kw):
            total, found = queries.search(session, queries.SamplingFilter(q=q, scope="all", **kw))
            assert total == len(found)
            return sorted(b.food_name for b in found)
        assert names("猪肉") == ["牛肉", "猪肉松", "酱卤猪肉"]
        assert names("猪肉松") == ["猪肉松"]
        assert names("猪") == ["牛肉", "猪肉松", "肉松猪", "酱卤猪肉"]   # one character: LIKE
        assert names("abc") == names("ABC") == ["Pork-ABC"]   # case does not matter
        assert names("猪肉", date_from=date(2025, 1, 2), date_to=date(2025, 1, 3)) == ["酱卤猪肉"]
        assert names('"猪肉" OR x') == []   # FTS syntax in a query is just text
        queries.SCAN_IN_ORDER_FROM, saved = 0, queries.SCAN_IN_ORDER_FROM  # the many-hits plan
        try:
            assert names("猪肉") == ["牛肉", "猪肉松", "酱卤猪肉"]
        finally:
            queries.SCAN_IN_ORDER_FROM = saved
        assert names("100%") == []
    # Corrections and deletions keep the index in step.
    rows[0][0] = "鸡肉松"
    _import(portal, _xlsx([header, *rows]), "s2.xlsx")
    with portal.db.read() as session:
        total, _ = queries.search(session, queries.SamplingFilter(q="鸡肉", scope="all"))
        assert total == 1


def test_legacy_xls_file_with_a_date_cell(portal):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("不合格产品信息")
    header = ["序号", "食品名称", "被抽样单位名称", "标称生产企业名称", "不合格项目║检验结果║标准值", "公告日期"]
    row = [1, "米粉", "张家界市慈利县某粉店", "某米粉厂", "脱氢乙酸及其钠盐║0.8g/kg║不得使用", None]
    for col, value in enumerate(header):
        sheet.write(0, col, value)
    for col, value in enumerate(row[:-1]):
        sheet.write(1, col, value)
    sheet.write(1, 5, date(2025, 3, 4), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    buffer = io.BytesIO()
    book.save(buffer)
    report = _import(portal, buffer.getvalue(), "legacy.xls")
    assert report.errors == [] and report.imported == 1
    with portal.db.read() as session:
        batch = session.scalar(select(SamplingBatch))
    assert batch.announcement_date == date(2025, 3, 4) and batch.district_adcode == "430821"
    assert batch.failed_items[0].standard_value == "不得使用"


SMALL = ("食品名称,被抽样单位名称,标称生产企业名称,公告日期,判定\n"
         "饼干,张家界市永定区某店,某厂,2025-01-01,合格\n").encode()


def test_an_import_is_part_of_the_callers_transaction(portal):
    """Like every action, the importer writes in the caller's transaction: when the caller's
    work fails afterwards, the import is undone with it; a trial leaves it usable."""
    from helpers.complaints import add_business
    from portal.registry.models import Business

    with pytest.raises(RuntimeError), portal.db.write() as session:
        assert import_sampling(session, ACTOR, SMALL, "x.csv", portal.profile).imported == 1
        raise RuntimeError("the caller's next step fails")
    assert count_rows(portal, select(SamplingBatch.id)) == 0
    business_id = add_business(portal)
    with portal.db.write() as session:
        session.get(Business, business_id).name = "改过的名称"
        trial = import_sampling(session, ACTOR, SMALL, "x.csv", portal.profile, dry_run=True)
        assert trial.imported == 1 and trial.import_id is None
        assert session.get(Business, business_id).name == "改过的名称"   # the caller's change stays
    assert count_rows(portal, select(SamplingBatch.id)) == 0
    with portal.db.read() as session:
        assert session.get(Business, business_id).name == "改过的名称"


def test_migration_0016_turns_sectors_and_statuses_into_codes_and_back(portal):
    from alembic import command
    from sqlalchemy import text

    from helpers.complaints import add_business
    from portal.db import alembic_config, upgrade
    from portal.registry.models import SECTOR_LABELS, Business
    from portal.sampling.models import DISPOSAL_STATUS_LABELS

    ids = [add_business(portal, name=f"单位{n}") for n in range(3)]
    with portal.db.write() as session:
        for business_id, sector in zip(ids, SECTOR_LABELS):
            session.get(Business, business_id).sector = sector
        for n, status in enumerate(DISPOSAL_STATUS_LABELS):
            batch = SamplingBatch(identity_key=f"k{n}", content_hash=f"k{n}", food_name="冰棍",
                                  result="不合格", is_demo=False, in_jurisdiction=True)
            batch.disposal = Disposal(status=status)
            session.add(batch)

    def stored():
        with portal.db.engine.connect() as conn:
            return (sorted(conn.execute(text("SELECT sector FROM businesses")).scalars()),
                    sorted(conn.execute(text("SELECT status FROM sampling_disposals")).scalars()))

    codes = stored()
    command.downgrade(alembic_config(portal.db.engine), "0015")
    assert stored() == (sorted(SECTOR_LABELS.values()), sorted(DISPOSAL_STATUS_LABELS.values()))
    upgrade(portal.db.engine)
    assert stored() == codes == (sorted(SECTOR_LABELS), sorted(DISPOSAL_STATUS_LABELS))


def test_the_audit_log_names_disposal_statuses_as_the_pages_do(portal):
    """The audit log stores the codes; 审计日志 shows them with the same labels as the pages."""
    from portal.accounts.audit import LABELS
    from portal.accounts.views import _detail
    from portal.sampling.models import DISPOSAL_STATUS_LABELS

    assert LABELS["values"]["status"] == DISPOSAL_STATUS_LABELS
    assert _detail('{"after": {"status": "done"}}').endswith("已处置")
