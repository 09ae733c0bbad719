"""商户查询: find a business, see its registry record and its sampling results."""
import os

from sqlalchemy import func, select

from portal.db import Database
from portal.registry.models import Business
from portal.sampling.models import SamplingBatch
from helpers.pages import open_page, texts
from test_sampling_pages import PAGE as SAMPLING_PAGE  # noqa: F401


def open_business(params: dict):
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/business.py").run()
    return at


def test_search_by_name_lists_matching_businesses(app_env):
    at = open_page("pages/business.py")
    assert not at.exception and "请输入名称" in texts(at)
    at.text_input[0].input("超市")
    next(b for b in at.button if b.label == "查询").click()
    at.run()
    db = Database(os.environ["PORTAL_DATABASE_URL"])
    with db.read() as session:
        expected = session.scalar(select(func.count()).select_from(Business).where(
            (Business.name.like("%超市%")) | (Business.address.like("%超市%"))))
    assert expected and f"共找到 **{expected:,}** 家" in texts(at)


def test_business_record_shows_registry_and_sampling(app_env):
    open_page("streamlit_app.py")  # seeds demo data
    db = Database(os.environ["PORTAL_DATABASE_URL"])
    with db.read() as session:
        business_id, failed = session.execute(
            select(SamplingBatch.sampled_business_id, func.count())
            .where(SamplingBatch.result == "不合格", SamplingBatch.sampled_business_id.is_not(None))
            .group_by(SamplingBatch.sampled_business_id).limit(1)).one()
        business = session.get(Business, business_id)
    at = open_business({"id": str(business_id)})
    assert not at.exception
    assert at.title[0].value == business.name
    body = texts(at)
    assert "统一社会信用代码" in body and "演示数据" in body
    assert f"有 **{failed}** 批次不合格" in body


def test_unknown_business_says_so(app_env):
    at = open_business({"id": "987654321"})
    assert not at.exception and "没有找到编号为" in texts(at)
    at = open_business({"id": "<b>x</b>"})
    assert not at.exception and "没有找到编号为" in texts(at)


def test_back_from_a_business_returns_to_the_same_search(app_env):
    """A business opened from a search carries the search in its address; 返回商户查询 goes
    back to it (it came back to an empty form)."""
    from helpers.pages import open_page as open_

    at = open_("pages/business.py", {"q": "店"})
    cards = [link for link in at.get("page_link") if "id=" in str(link.proto.query_string)]
    assert cards and all("q=" in str(c.proto.query_string) for c in cards)
    from urllib.parse import parse_qsl

    detail = open_("pages/business.py", dict(parse_qsl(str(cards[0].proto.query_string))))
    assert "返回商户查询" in [link.proto.label for link in detail.get("page_link")]
    back = next(link for link in detail.get("page_link") if link.proto.label == "返回商户查询")
    assert dict(parse_qsl(back.proto.query_string)) == {"q": "店"}
