"""AppTest for the sampling pages: search, shareable filters, detail, download, 核查处置."""
import os

import pytest
from sqlalchemy import select

from portal.accounts.models import AuditEntry
from portal.db import Database
from portal.sampling.models import Disposal, SamplingBatch
from helpers.pages import demo_password, open_page, sign_in, texts

PAGE = "pages/sampling.py"


def db():
    return Database(os.environ["PORTAL_DATABASE_URL"])


def open_with(params: dict):
    return open_page(PAGE, params)


def card_titles(at) -> list[str]:
    return [m.value for m in at.markdown
            if m.value.startswith("**") and (":material/check_circle:" in m.value
                                             or ":material/cancel:" in m.value)]


def test_search_page_lists_demo_results_with_label(app_env):
    at = open_page(PAGE)
    assert not at.exception
    body = texts(at)
    assert "演示数据" in body and "共找到" in body
    assert len(card_titles(at)) == 20


def test_filters_come_from_the_url_and_narrow_the_results(app_env):
    at = open_with({"result": "不合格", "q": "猪"})
    assert not at.exception
    titles = card_titles(at)
    assert titles and all("不合格" in t for t in titles)
    with db().read() as session:
        expected = session.scalar(select(__import__("sqlalchemy").func.count()).select_from(SamplingBatch)
                                  .where(SamplingBatch.result == "不合格",
                                         SamplingBatch.in_jurisdiction.is_(True),
                                         SamplingBatch.search_text.like("%猪%")))
    assert f"共找到 **{expected:,}** 批次" in texts(at)


def test_submitting_the_form_puts_the_filter_in_the_url(app_env):
    at = open_page(PAGE)
    at.text_input[0].input("大米")
    at.button_group[0].set_value("合格")
    next(b for b in at.button if b.label == "查询").click()
    at.run()
    assert at.query_params["q"] in ("大米", ["大米"]) and at.query_params["result"] in ("合格", ["合格"])
    assert all("大米" in t for t in card_titles(at))


def test_bad_url_parameters_give_a_message_not_an_error(app_env):
    at = open_with({"result": "<script>", "date_from": "yesterday"})
    assert not at.exception
    body = texts(at)
    assert "链接中的条件有误" in body and "共找到" in body


def test_no_results_says_what_to_try(app_env):
    at = open_with({"q": "不存在的食品名称"})
    assert "没有找到符合条件的抽检结果" in texts(at)


def test_failed_batch_detail_explains_items_and_disposal(app_env):
    at = open_page(PAGE)  # seeds the demo data
    with db().read() as session:
        batch = session.scalar(select(SamplingBatch).join(Disposal)
                               .where(Disposal.status == "done").limit(1))
    at = open_with({"batch": str(batch.id)})
    assert not at.exception
    body = texts(at)
    assert at.title[0].value == batch.food_name
    assert "这是什么？" in body and "核查处置" in body and "处罚文书号" in body
    assert "声明" in body and "演示数据" in body
    assert any("被抽样单位在本市的登记信息" in e.label for e in at.expander)


def test_unknown_batch_says_so_and_offers_the_way_back(app_env):
    at = open_with({"batch": "99999999"})
    assert not at.exception
    assert "没有找到编号为" in texts(at)
    at = open_with({"batch": "abc"})
    assert "没有找到编号为" in texts(at)


def test_download_produces_csv_with_the_fixed_columns(app_env):
    at = open_with({"result": "不合格"})
    at.session_state["sampling_tab"] = "下载与说明"
    at.run()
    next(b for b in at.button if b.label == "准备下载文件").click()
    at.run()
    assert not at.exception
    assert "共" in texts(at)


def test_statistics_tab_is_drawn_only_when_opened(app_env):
    at = open_page(PAGE)
    assert not at.metric                        # hidden: not computed on a visit
    at.session_state["sampling_tab"] = "统计"    # what a click on the tab sets
    at.run()
    labels = [m.label for m in at.metric]
    assert any("每千人抽检批次" in label for label in labels)


def test_publisher_records_a_disposal_and_it_is_audited(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_publisher", demo_password(app_env, "demo_publisher"))
    at.switch_page("pages/sampling_disposal.py").run()
    assert not at.exception
    batch_id = at.selectbox[0].value
    at.radio[0].set_value("done")
    next(b for b in at.button if b.label == "保存").click()
    at.run()
    assert "请选择已采取的处置措施" in texts(at)
    with db().read() as session:
        assert session.get(Disposal, batch_id).status != "done"
    at.radio[0].set_value("done")
    at.multiselect[0].set_value(["下架", "罚款"])
    at.text_input[0].input("张市监处罚〔2026〕99号")
    from portal.timeutil import local_today
    at.date_input[1].set_value(local_today())
    next(b for b in at.button if b.label == "保存").click()
    at.run()
    assert not at.exception
    with db().read() as session:
        disposal = session.get(Disposal, batch_id)
        assert disposal.status == "done" and disposal.document_no == "张市监处罚〔2026〕99号"
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "disposal_update",
                                                       AuditEntry.object_id == str(batch_id)))
    public = open_with({"batch": str(batch_id)})
    assert "张市监处罚〔2026〕99号" in texts(public).replace("\\", "")


def test_batches_kept_as_outside_are_published_but_never_overdue(app_env):
    """Another province's announcement kept as 外地: its failed batches are public, with no
    local 核查处置, so no page says 已逾期 and 监管总览 and the home figures stay as they were."""
    from conftest import SHARED
    from portal.accounts.rules import cli_actor
    from portal.importers.sampling import import_sampling
    from portal.overview import disposal_part
    from portal.registry.profiles import load_profile
    from portal.timeutil import local_today

    home = open_page("streamlit_app.py")
    before_home = {m.label: m.value for m in home.metric}
    with db().read() as session:
        before = disposal_part(session, local_today()).figures
        outside_demo = session.scalars(select(SamplingBatch).where(
            SamplingBatch.result == "不合格", SamplingBatch.in_jurisdiction.is_(False))).all()
        assert outside_demo and not any(b.disposal for b in outside_demo)   # the demo has one
    data = (SHARED / "data/real/sampling/foodmate_2022_frozen_unqualified_YEJC1992.csv").read_bytes()
    with db().write() as session:
        report = import_sampling(session, cli_actor("t"), data, "frozen.csv",
                                 load_profile("zhangjiajie"), outside="keep")
    assert report.imported == 35
    with db().read() as session:
        assert disposal_part(session, local_today()).figures == before
        batch_id = session.scalar(select(SamplingBatch.id).where(SamplingBatch.food_name == "老式雪糕"))
    assert {m.label: m.value for m in open_page("streamlit_app.py").metric} == before_home
    listing = open_with({"scope": "all", "q": "老式雪糕"})
    assert not listing.exception and "外地抽检，由抽样地监管部门处置" in texts(listing)
    detail = open_with({"batch": str(batch_id), "scope": "all"})
    assert not detail.exception
    body = texts(detail)
    assert "这批食品不是在本市抽样的" in body and "已逾期" not in body and "应于" not in body


@pytest.mark.parametrize("path", ["pages/sampling_import.py", "pages/sampling_disposal.py"])
def test_publisher_pages_refuse_handlers(app_env, path):
    at = open_page("pages/login.py")
    sign_in(at, "demo_handler", demo_password(app_env, "demo_handler"))
    at.switch_page(path).run()
    assert "没有访问此页面的权限" in texts(at)
    assert not at.dataframe


def test_pages_run_on_postgresql(pg_url, monkeypatch, tmp_path):
    """The same portal on PostgreSQL: one URL setting, nothing else changes."""
    monkeypatch.setenv("PORTAL_DATABASE_URL", pg_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PORTAL_DEMO", "1")
    at = open_page("streamlit_app.py")
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["登记食品经营主体"] == "600 家"
    at = open_with({"q": "猪肉", "result": "不合格"})
    assert not at.exception and "共找到" in texts(at)


def test_the_page_of_results_travels_to_the_batch_and_back(app_env):
    """Page 2 of a search: its cards open the batch with the page in the address, and the
    batch's 返回查询结果 goes back to page 2 of the same search, not page 1."""
    at = open_with({"scope": "all", "page": "2"})
    assert "第 2 /" in texts(at)
    cards = [link for link in at.get("page_link") if "batch=" in str(link.proto.query_string)]
    assert cards and all("page=2" in str(c.proto.query_string) for c in cards)
    detail = open_with({"scope": "all", "page": "2",
                        "batch": str(cards[0].proto.query_string).split("batch=")[1].split("&")[0]})
    back = next(link for link in detail.get("page_link") if link.proto.label == "返回查询结果")
    assert "page=2" in back.proto.query_string and "scope=all" in back.proto.query_string
    assert "batch=" not in back.proto.query_string
