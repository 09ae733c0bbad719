"""AppTest for 快检公示 (as a citizen reaches it) and 导入快检结果 (as a publisher uses it)."""
import os
import re

from sqlalchemy import func, select

from portal.accounts.models import AuditEntry
from portal.db import Database
from portal.rapid_tests.models import POSITIVE, RapidFollowUp, RapidTest
from helpers.pages import demo_password, open_page, sign_in, texts

PAGE = "pages/rapid_tests.py"


def db():
    return Database(os.environ["PORTAL_DATABASE_URL"])


def test_today_per_market_positives_first_with_the_screening_notice(app_env):
    at = open_page(PAGE)
    assert not at.exception
    body = texts(at)
    assert "快检是现场快速筛查（初筛），结果不是法定检验结论" in body
    assert "演示数据" in body
    assert "的快检结果：" in body and "个市场" in body
    with db().read() as session:
        latest = session.scalar(select(func.max(RapidTest.tested_on)))
        positives = session.scalar(select(func.count()).select_from(RapidTest).where(
            RapidTest.tested_on == latest, RapidTest.result == POSITIVE))
    assert f"初筛阳性 {positives:,} 批次" in body
    assert sum(1 for m in at.markdown if "复核：" in m.value) == positives


def test_a_citizen_opens_a_market_from_its_link_and_sees_its_history(app_env):
    at = open_page(PAGE)
    # AppTest cannot click a page link: follow the first market's link with its own address.
    links = [str(p.proto) for p in at.get("page_link") if "market=" in str(p.proto)]
    assert links
    market_id = re.search(r"market=(\d+)", links[0])[1]
    market = open_page(PAGE, {"market": market_id})
    assert not market.exception
    body = texts(market)
    assert "历月合格率" in body and "累计检测" in body
    assert market.selectbox[0].label == "检测日期"
    assert "快检是现场快速筛查" in body


def test_search_by_food_lists_positives_first(app_env):
    at = open_page(PAGE)
    at.text_input[0].input("韭菜")
    next(b for b in at.button if b.label == "查找").click()
    at.run()
    assert not at.exception
    assert at.query_params["q"] == ["韭菜"] or at.query_params["q"] == "韭菜"
    body = texts(at)
    with db().read() as session:
        total = session.scalar(select(func.count()).select_from(RapidTest).where(RapidTest.sample == "韭菜"))
    assert f"找到 {total:,} 条快检结果" in body
    frame = at.dataframe[0].value
    assert set(frame["样品"]) == {"韭菜"}
    results = list(frame["结果"])
    assert results == sorted(results, key=lambda r: r != "初筛阳性")


def test_bad_links_and_no_results_say_so(app_env):
    at = open_page(PAGE, {"result": "maybe", "q": "没有这种菜"})
    assert not at.exception
    body = texts(at)
    assert "结果只能是“阳性”或“阴性”，已忽略" in body and "没有符合条件的快检结果" in body
    at = open_page(PAGE, {"market": "<b>x</b>"})
    assert not at.exception and "没有找到编号为" in texts(at)
    at = open_page(PAGE, {"market": "99999999"})
    assert not at.exception and "没有找到编号为" in texts(at)


def test_hostile_market_trader_and_food_are_shown_inert(app_env):
    from portal.accounts.rules import cli_actor
    from portal.importers.rapid_tests import import_rapid_tests
    from portal.timeutil import local_today
    from test_markdown_escaping import DIRECTIVES, HTML, IMAGE, LINK, LIVE, REAL_URL
    from test_rapid_tests import as_csv, board

    rows = board([[1, "A01", f"**粗体**{HTML}{LINK}", f"{IMAGE}韭菜{DIRECTIVES}", f"农残 {REAL_URL}",
                   "", "", "阳性", "下架"]], market=f"钓鱼{LINK}市场", day=local_today())
    with db().write() as session:
        report = import_rapid_tests(session, cli_actor("test"), as_csv(rows), "x.csv")
    assert report.imported == 1, report
    for params in ({"q": "钓鱼"}, {"result": "阳性"}, {}):
        at = open_page(PAGE, params)
        assert not at.exception
        shown = "\n".join([m.value for m in at.markdown] + [str(p.proto.label) for p in at.get("page_link")])
        assert "钓鱼" in shown
        assert not LIVE.search(shown), LIVE.search(shown)
        assert not re.search(r"(?<!\\)<img", shown) and "\\*\\*粗体" in shown


def test_publisher_imports_a_sheet_and_records_a_follow_up(app_env, tmp_path):
    from datetime import date, timedelta

    from portal.demo.rapid_tests import write_month_sheet

    at = open_page("pages/login.py")
    sign_in(at, "demo_publisher", demo_password(app_env, "demo_publisher"))
    at.switch_page("pages/rapid_tests_import.py").run()
    assert not at.exception
    # The follow-up form: confirm a positive without a date is refused, with one it is saved.
    test_id = at.selectbox[0].value.id
    at.selectbox[1].set_value("confirmed")
    at.date_input[0].set_value(None)
    next(b for b in at.button if b.label == "保存").click()
    at.run()
    assert "请填写复核日期" in texts(at)
    at.selectbox[1].set_value("confirmed")
    at.date_input[0].set_value(date.today() - timedelta(days=1))
    next(b for b in at.button if b.label == "保存").click()
    at.run()
    assert not at.exception
    with db().read() as session:
        assert session.get(RapidFollowUp, test_id).review == "confirmed"
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "rapid_follow_up_update",
                                                       AuditEntry.object_id == str(test_id)))
    del write_month_sheet, tmp_path


def test_a_business_page_shows_its_stalls_rapid_tests(app_env):
    from test_business_pages import open_business

    with db().read() as session:
        business_id = session.scalar(select(RapidTest.business_id).where(
            RapidTest.business_id.is_not(None)).limit(1))
        samples = set(session.scalars(select(RapidTest.sample).where(RapidTest.business_id == business_id)))
    assert business_id
    at = open_business({"id": str(business_id)})
    assert not at.exception
    assert "市场快检记录" in texts(at)
    assert set(at.dataframe[-1].value["样品"]) <= samples


def test_back_from_a_market_returns_to_the_same_search(app_env):
    """A market opened from a search's result carries the search; 返回快检公示 goes back to it
    (it came back to the day's overview)."""
    from urllib.parse import parse_qsl

    at = open_page(PAGE, {"result": "positive"})
    links = [dict(parse_qsl(str(p.proto.query_string))) for p in at.get("page_link")
             if "market=" in str(p.proto.query_string)]
    assert links and all(set(link) == {"result", "market"} for link in links)
    market = open_page(PAGE, links[0])
    back = next(p for p in market.get("page_link") if p.proto.label == "返回快检公示")
    assert dict(parse_qsl(back.proto.query_string)) == {"result": links[0]["result"]}
