"""The door page /b/{id} (portal/web/door.py): what it shows, in which language, its size,
its validators, its window and what it never does (run a script, trust a name). On the
small demo (app_env), as the portal starts."""
from __future__ import annotations

import re
from datetime import date, timedelta, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal import data_version
from portal.config import load_settings
from portal.lists.models import BLACK, ListEntry
from portal.ratings.queries import business_rating
from portal.registry.models import Business
from portal.sampling.models import FAILED, SamplingBatch
from portal.timeutil import local_midnight_utc, local_today
from portal.web.door import DOOR_RATE_FACTOR, door_routes
from portal.web.feeds import feed_routes


@pytest.fixture
def portal(app_env):
    from portal.bootstrap import bootstrap

    return bootstrap()


def client(portal, settings=None) -> TestClient:
    settings = settings or load_settings()
    return TestClient(Starlette(routes=door_routes(lambda: portal, settings)))


def rated_business(portal) -> Business:
    """A demo restaurant with a dynamic grade now."""
    today = local_today()
    with portal.db.read() as session:
        for business in session.scalars(select(Business).where(Business.sector == "catering")
                                        .order_by(Business.id)):
            found = business_rating(session, business, today)
            if found and found.rating.dynamic:
                session.expunge(business)
                return business
    raise AssertionError("the demo has no rated restaurant")


def with_failed_batch_and_black_list(portal, business: Business) -> int:
    """A failed batch sampled there last month and a current black-list entry; the batch's id."""
    today = local_today()
    with portal.db.write() as session:
        batch = session.scalars(select(SamplingBatch).where(SamplingBatch.result == FAILED)
                                .order_by(SamplingBatch.id)).first()
        batch.sampled_business_id = business.id
        batch.announcement_date = today - timedelta(days=30)
        session.add(ListEntry(kind=BLACK, business_id=business.id, business_name=business.name,
                              reason="门口测试：使用非食品原料", authority="市场监管局",
                              listed_on=today - timedelta(days=10), is_demo=True))
        data_version.bump(session)
        session.flush()
        return batch.id


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S)))


def meta(html: str, prop: str) -> str:
    return next(a["content"] for tag, a in tags(html) if tag == "meta" and a.get("property") == prop)


def test_the_door_page_shows_grade_failed_batches_lists_and_the_complaint_link(portal):
    business = rated_business(portal)
    batch_id = with_failed_batch_and_black_list(portal, business)
    response = client(portal).get(f"/b/{business.id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    shown = text(html)
    with portal.db.read() as session:
        rating = business_rating(session, session.get(Business, business.id), local_today()).rating
    assert business.name in shown
    assert rating.dynamic in shown and f'<svg class="face" data-face="{rating.face}"' in html
    assert f"动态等级（{rating.face}）" in shown
    assert (rating.annual or "—") in shown
    assert f"{rating.last_inspected_on.year}年" in shown
    assert "演示数据" in shown                             # the demo says so, visibly
    assert "目前在严重违法失信名单（黑榜）上" in shown
    links = [a["href"] for tag, a in tags(html) if tag == "a"]
    assert f"../sampling?batch={batch_id}&scope=all" in links
    assert f"../complaint?business={business.id}" in links
    assert f"../business?id={business.id}" in links
    assert f"../feeds/business/{business.id}.atom" in links
    # Works without JavaScript: there is none; and small, CSS included.
    assert "<script" not in html.lower()
    assert len(response.content) < 30 * 1024
    assert 'name="viewport"' in html


def test_old_inspection_warns_and_a_business_outside_the_scheme_says_so(portal):
    business = rated_business(portal)
    from portal.ratings.models import Inspection

    with portal.db.write() as session:
        for inspection in session.scalars(select(Inspection).where(Inspection.business_id == business.id)):
            inspection.inspected_on = date(local_today().year - 2, 1, 15)
        other = session.scalars(select(Business).where(Business.sector != "catering")).first()
        other_id = other.id
    assert "最近一次检查已超过 6 个月" in text(client(portal).get(f"/b/{business.id}").text)
    assert "不属于餐饮服务" in text(client(portal).get(f"/b/{other_id}").text)


def test_english_with_lang_en_and_chinese_by_default(portal):
    business = rated_business(portal)
    door = client(portal)
    chinese, english = door.get(f"/b/{business.id}"), door.get(f"/b/{business.id}?lang=en")
    assert '<html lang="zh-CN">' in chinese.text and '<html lang="en">' in english.text
    assert "Complaints and reports" in text(english.text)
    assert "See the full record" in text(english.text) and "查看完整信息" not in english.text
    assert f"../complaint?business={business.id}&lang=en" in english.text.replace("&amp;", "&")
    assert chinese.headers["etag"] != english.headers["etag"]
    # WeChat adds its own parameters to shared links; they change nothing.
    shared = door.get(f"/b/{business.id}?from=singlemessage&isappinstalled=0")
    assert shared.status_code == 200 and shared.headers["etag"] == chinese.headers["etag"]


def test_unknown_or_malformed_id_gets_a_chinese_404_page(portal):
    door = client(portal)
    # One address per business: /b/007 is not another way to write /b/7.
    for path in ("/b/99999999", "/b/0", "/b/abc", "/b/-1", "/b/１２", "/b/007"):
        response = door.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "没有找到这家商户" in response.text
        assert "../business" in response.text


def test_etag_and_last_modified_give_304_and_a_short_max_age(portal):
    business = rated_business(portal)
    door = client(portal)
    first = door.get(f"/b/{business.id}")
    assert re.fullmatch(r"public, max-age=\d+", first.headers["cache-control"])
    assert int(first.headers["cache-control"].split("=")[1]) <= 300
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    # The page changes with the day too: never dated before today's local midnight.
    assert parsedate_to_datetime(modified) >= local_midnight_utc(local_today()).replace(tzinfo=timezone.utc)
    assert door.get(f"/b/{business.id}", headers={"If-None-Match": etag}).status_code == 304
    assert door.get(f"/b/{business.id}", headers={"If-Modified-Since": modified}).status_code == 304
    assert door.get(f"/b/{business.id}", headers={"If-None-Match": '"other"'}).status_code == 200
    with_failed_batch_and_black_list(portal, business)      # a write: a new version, new bytes
    again = door.get(f"/b/{business.id}", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["etag"] != etag
    assert "黑榜" in again.text


def test_open_graph_tags_carry_the_name_and_grade(portal):
    business = rated_business(portal)
    html = client(portal).get(f"/b/{business.id}").text
    with portal.db.read() as session:
        rating = business_rating(session, session.get(Business, business.id), local_today()).rating
    title = meta(html, "og:title")
    assert business.name in title and rating.dynamic in title and "演示数据" in title
    description = meta(html, "og:description")
    assert "量化分级" in description and rating.dynamic in description


def test_links_use_the_public_address_when_set_never_the_host_header(portal, monkeypatch):
    business = rated_business(portal)
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://food.example.gov.cn")
    door = client(portal, load_settings())
    html = door.get(f"/b/{business.id}", headers={"Host": "evil.example"}).text
    assert f'href="https://food.example.gov.cn/complaint?business={business.id}"' in html
    assert meta(html, "og:url") == f"https://food.example.gov.cn/b/{business.id}"
    assert "evil.example" not in html


@pytest.mark.security
def test_a_hostile_business_name_is_escaped(portal):
    business = rated_business(portal)
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    with portal.db.write() as session:
        session.get(Business, business.id).name = hostile
    html = client(portal).get(f"/b/{business.id}").text
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert hostile in meta(html, "og:title")        # the parser unescapes: the name, as text


@pytest.mark.security
def test_the_door_has_its_own_window_apart_from_the_feeds_and_api(portal, monkeypatch):
    monkeypatch.setenv("PORTAL_API_RATE", "3")
    settings = load_settings()
    business = rated_business(portal)
    both = TestClient(Starlette(routes=[*door_routes(lambda: portal, settings),
                                        feed_routes(lambda: portal, settings)]))
    for _ in range(3):
        assert both.get("/feeds/lists.atom").status_code == 200
    assert both.get("/feeds/lists.atom").status_code == 429       # the API-rate window is spent
    for _ in range(3 * DOOR_RATE_FACTOR):
        assert both.get(f"/b/{business.id}").status_code == 200   # the door's is not
    refused = both.get(f"/b/{business.id}")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


def test_the_business_page_links_to_its_door_page(app_env):
    from helpers.pages import open_page

    at = open_page("pages/business.py", {"id": "1"})
    assert [m.value for m in at.markdown if "qr_code_2" in str(m.value)] == [
        ":material/qr_code_2: [门口扫码页](b/1)"]


def test_the_kitchen_live_link_is_shown_only_when_it_is_https(portal):
    from portal.ratings.models import KitchenDisplay

    business = rated_business(portal)
    with portal.db.write() as session:
        session.merge(KitchenDisplay(business_id=business.id, kind="互联网+明厨亮灶",
                                     stream_url="https://live.example.cn/k/1", is_demo=True))
    html = client(portal).get(f"/b/{business.id}").text
    assert 'href="https://live.example.cn/k/1"' in html and "观看后厨直播" in html
    with portal.db.write() as session:
        session.get(KitchenDisplay, business.id).stream_url = "javascript:alert(1)"
        data_version.bump(session)
    html = client(portal).get(f"/b/{business.id}").text
    assert "javascript:" not in html and "观看后厨直播" not in html


def test_a_stalls_recent_rapid_tests_and_positives_show_with_their_review(portal):
    """A business linked to a market's 快检 results: the last 90 days' count, each positive with
    its laboratory review, the screening caveat; the sheet's text is escaped."""
    from portal.rapid_tests.models import POSITIVE, RapidMarket, RapidTest

    since = local_today() - timedelta(days=30)
    with portal.db.write() as session:
        test = session.scalars(select(RapidTest).join(RapidMarket).where(
            RapidMarket.business_id.is_not(None), RapidTest.tested_on >= since)
            .order_by(RapidTest.id)).first()
        assert test is not None, "the demo links no market to a business"
        business_id = test.market.business_id
        test.result, test.sample, test.item = POSITIVE, "<b>韭菜</b>", "有机磷和氨基甲酸酯类农药残留"
    page = client(portal).get(f"/b/{business_id}").text
    shown = text(page)
    assert "市场快检" in shown and "初筛阳性" in shown and "不是法定检验结论" in shown
    assert "&lt;b&gt;韭菜&lt;/b&gt; · 有机磷和氨基甲酸酯类农药残留" in page and "<b>韭菜</b>" not in page
    assert "待复核" in shown or "复核" in shown
    with portal.db.read() as session:
        unlinked = session.scalars(select(Business.id).where(
            Business.id.not_in(select(RapidMarket.business_id).where(RapidMarket.business_id.is_not(None))),
            Business.id.not_in(select(RapidTest.business_id).where(RapidTest.business_id.is_not(None))))
            .limit(1)).first()
    assert "市场快检" not in text(client(portal).get(f"/b/{unlinked}").text)
