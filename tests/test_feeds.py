"""The Atom feeds under /feeds (portal/web/feeds.py): valid Atom, what each says, filters,
304s, bounds, and what they never say. On the small demo (app_env), as the portal starts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.accounts import audit
from portal.accounts.rules import Actor
from portal.config import load_settings
from portal.lists.models import ListEntry
from portal.ratings import actions as rating_actions
from portal.registry.models import Business
from portal.sampling.models import FAILED, Disposal, SamplingBatch
from portal.sampling.queries import search
from portal.sampling.schemas import SamplingFilter
from portal.timeutil import local_today
from portal.web import atom
from portal.web.feeds import feed_routes

PUBLISHER = Actor(None, "pub", "发布员", frozenset({"publisher"}))


@pytest.fixture
def portal(app_env):
    from portal.bootstrap import bootstrap

    return bootstrap()


def client(portal, settings=None, **options) -> TestClient:
    settings = settings or load_settings()
    return TestClient(Starlette(routes=[feed_routes(lambda: portal, settings, **options)]))


@pytest.fixture
def feeds(portal):
    return client(portal)


def parsed(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    document = feedparser.parse(response.content)
    assert document.bozo == 0, document.get("bozo_exception")
    assert document.version == "atom10"
    return document


def batch_ids(document) -> list[int]:
    return [int(parse_qs(urlsplit(e.link).query)["batch"][0]) for e in document.entries]


def newest(portal, flt: SamplingFilter) -> list[int]:
    with portal.db.read() as session:
        return [b.id for b in search(session, flt, page_size=50)[1]]


def test_every_feed_is_valid_atom_with_links_to_the_pages(feeds, portal):
    with portal.db.read() as session:
        business_id = session.scalar(select(SamplingBatch.sampled_business_id).where(
            SamplingBatch.result == FAILED, SamplingBatch.sampled_business_id.is_not(None)).limit(1))
    for path, page in (("/feeds/sampling.atom", "../sampling"), ("/feeds/lists.atom", "../"),
                       ("/feeds/rounds.atom", "../rounds"),
                       (f"/feeds/business/{business_id}.atom", "../../")):
        document = parsed(feeds.get(path))
        assert document.feed.title and document.feed.id.startswith("urn:uuid:")
        assert 0 < len(document.entries) <= 50, path
        for entry in document.entries:
            assert entry.id.startswith("urn:uuid:") and entry.updated_parsed and entry.title
            assert entry.link.startswith(page), (path, entry.link)
            assert entry.title.startswith("【演示数据】"), entry.title    # the demo says so
        assert len({e.id for e in document.entries}) == len(document.entries)
    rounds = parsed(feeds.get("/feeds/rounds.atom"))
    assert any("你点我检" in e.title for e in rounds.entries)


def test_the_sampling_feed_is_the_newest_fifty_matching_its_filters(feeds, portal):
    document = parsed(feeds.get("/feeds/sampling.atom"))
    assert len(document.entries) == 50
    assert batch_ids(document) == newest(portal, SamplingFilter())
    failed = parsed(feeds.get("/feeds/sampling.atom?result=fail"))
    assert batch_ids(failed) == newest(portal, SamplingFilter(result="fail"))
    assert all(e.title.startswith("【演示数据】不合格：") for e in failed.entries)
    assert all("不合格项目" in e.summary for e in failed.entries)
    with portal.db.read() as session:
        batch = session.scalar(select(SamplingBatch).where(SamplingBatch.in_jurisdiction.is_(True),
                                                           SamplingBatch.result == FAILED).limit(1))
        district, category, food = batch.district_adcode, batch.category, batch.food_name[:2]
    flt = SamplingFilter(result="fail", district=district, category=category, q=food)
    narrowed = parsed(feeds.get("/feeds/sampling.atom", params={
        "result": "fail", "district": district, "category": category, "q": food}))
    assert batch.id in batch_ids(narrowed)
    assert batch_ids(narrowed) == newest(portal, flt)
    assert food in narrowed.feed.title and category in narrowed.feed.title
    # The alternate link is 抽检结果 with the same filters.
    alternate = next(link.href for link in narrowed.feed.links if link.rel == "alternate")
    assert parse_qs(urlsplit(alternate).query) == {"result": [FAILED], "district": [district],
                                                   "category": [category], "q": [food]}


def test_a_business_feed_tells_grades_failed_batches_lists_and_disposal(feeds, portal):
    with portal.db.write() as session:
        batch = session.scalar(select(SamplingBatch).where(
            SamplingBatch.result == FAILED, SamplingBatch.sampled_business_id.is_not(None)).limit(1))
        business = session.get(Business, batch.sampled_business_id)
        business.sector = "catering"
        disposal = batch.disposal or Disposal(batch_id=batch.id)
        disposal.status, disposal.measures, disposal.completed_on = "done", "下架、召回", local_today()
        disposal.updated_by, disposal.public_note = "secret-official", "已责令整改"
        session.add(disposal)
        session.add(ListEntry(kind="black", business_id=business.id, business_name=business.name,
                              reason="生产经营过期食品", authority="市场监管局", listed_on=local_today()))
        session.flush()
        for days, score in ((60, 9.5), (30, 9.4), (1, 6.0)):
            inspected_on = local_today() - timedelta(days=days)
            rating_actions.add_inspection(session, PUBLISHER, business.id,
                                          {"inspected_on": inspected_on, "score": score})
        business_id, food = business.id, batch.food_name
    document = parsed(feeds.get(f"/feeds/business/{business_id}.atom"))
    titles = [e.title for e in document.entries]
    assert any(t.endswith(f"不合格：{food}") for t in titles), titles
    assert any(t.endswith(f"核查处置完成：{food}") for t in titles), titles
    assert any("列入黑榜" in t for t in titles), titles
    grade_changes = [t for t in titles if "量化分级" in t]
    assert len(grade_changes) >= 2 and "→" in grade_changes[0], titles   # the drop, newest first
    assert "secret-official" not in feeds.get(f"/feeds/business/{business_id}.atom").text
    assert document.feed.title.startswith(f"【演示数据】{business.name}")


@pytest.mark.security
def test_bad_parameters_are_refused_with_a_clear_message(feeds):
    for path, status, words in (
            ("/feeds/sampling.atom?colour=red", 400, "不认识的参数：colour"),
            ("/feeds/sampling.atom?result=fail&result=pass", 400, "只能给一次"),
            ("/feeds/sampling.atom?result=bad", 400, "result 只能是"),
            ("/feeds/sampling.atom?district=999999", 400, "district"),
            ("/feeds/sampling.atom?q=" + "猪" * 51, 400, "q 最长 50"),
            ("/feeds/sampling.atom?category=" + "x" * 51, 400, "category 最长 50"),
            ("/feeds/lists.atom?page=2", 400, "不认识的参数"),
            ("/feeds/business/abc.atom", 400, "商户编号应是正整数"),
            ("/feeds/business/0.atom", 400, "商户编号应是正整数"),
            ("/feeds/business/%EF%BC%91.atom", 400, "商户编号应是正整数"),    # a full-width digit
            ("/feeds/business/99999999.atom", 404, "没有编号为 99999999 的商户")):
        response = feeds.get(path)
        assert response.status_code == status, (path, response.text)
        assert words in response.text, (path, response.text)


def test_unchanged_feeds_answer_304_and_an_official_write_changes_them(feeds, portal):
    first = feeds.get("/feeds/lists.atom")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"].startswith("public")
    assert feeds.get("/feeds/lists.atom", headers={"If-None-Match": etag}).status_code == 304
    assert feeds.get("/feeds/lists.atom", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(datetime.now(timezone.utc) - timedelta(days=400), usegmt=True)
    assert feeds.get("/feeds/lists.atom", headers={"If-Modified-Since": earlier}).status_code == 200
    assert feeds.get("/feeds/lists.atom", headers={"If-None-Match": '"other"'}).status_code == 200
    # An official write that leaves the lists as they were: a new version, the same feed.
    with portal.db.write() as session:
        audit.record(session, PUBLISHER, "sampling_import")
    assert feeds.get("/feeds/lists.atom", headers={"If-None-Match": etag}).status_code == 304
    # An official adds a list entry, with its audit row: the next request sees it.
    with portal.db.write() as session:
        session.add(ListEntry(kind="red", business_name="新上红榜的饭店", reason="诚信经营",
                              authority="市场监管局", listed_on=local_today()))
        audit.record(session, PUBLISHER, "list_entry_add")
    after = feeds.get("/feeds/lists.atom", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert parsed(after).entries[0].title == "列入红榜：新上红榜的饭店"    # not demo data


@pytest.mark.security
def test_links_use_the_public_address_never_the_host_header(portal, monkeypatch):
    forged = client(portal).get("/feeds/rounds.atom", headers={"Host": "evil.example"})
    assert "evil.example" not in forged.text
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://food.example.gov.cn")
    document = parsed(client(portal).get("/feeds/rounds.atom", headers={"Host": "evil.example"}))
    assert all(e.link.startswith("https://food.example.gov.cn/rounds?round=") for e in document.entries)
    assert next(link.href for link in document.feed.links if link.rel == "self") == \
        "https://food.example.gov.cn/feeds/rounds.atom"


@pytest.mark.security
def test_no_personal_data_in_any_feed(feeds, portal):
    from portal.rounds.models import Candidate

    with portal.db.read() as session:
        hashes = [h for h in session.scalars(select(Candidate.proposer_hash)) if h]
    bodies = "".join(feeds.get(path).text for path in (
        "/feeds/sampling.atom", "/feeds/lists.atom", "/feeds/rounds.atom"))
    officials = [line.split()[0] for line in (portal.settings.var_dir / "demo_accounts.txt")
                 .read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    for secret in hashes + [o for o in officials if len(o) > 3]:
        assert secret not in bodies


@pytest.mark.security
def test_distinct_filters_cannot_fill_memory_or_buy_builds(portal):
    cache = atom.FeedCache(max_entries=3, max_bytes=10**9)
    feeds = client(portal, cache=cache, builds_per_minute=5)
    answers = [feeds.get("/feeds/sampling.atom", params={"q": f"猪{i}"}).status_code for i in range(7)]
    assert answers == [200] * 5 + [429] * 2
    assert len(cache) == 3
    refused = feeds.get("/feeds/sampling.atom", params={"q": "猪99"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert feeds.get("/feeds/sampling.atom", params={"q": "猪4"}).status_code == 200   # cached
    small = atom.FeedCache(max_entries=100, max_bytes=1)
    client(portal, cache=small).get("/feeds/rounds.atom")
    assert len(small) == 0 and small.bytes == 0


@pytest.mark.security
def test_a_client_may_fetch_a_feed_a_bounded_number_of_times(portal, monkeypatch):
    monkeypatch.setenv("PORTAL_API_RATE", "3")
    feeds = client(portal)
    statuses = [feeds.get("/feeds/rounds.atom").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_pages_link_to_their_feed(app_env):
    """抽检结果 (with its filters), a business, 红黑榜 and 你点我检 show the feed's link."""
    from helpers.pages import open_page

    def feed_links(at) -> list[str]:
        return [m.value for m in at.markdown if "rss_feed" in str(m.value)]

    at = open_page("pages/sampling.py", {"result": "不合格", "district": "430802", "q": "猪肉"})
    assert feed_links(at) == [":material/rss_feed: [订阅更新（Atom）]"
                              "(feeds/sampling.atom?result=fail&district=430802&q=%E7%8C%AA%E8%82%89)"]
    assert feed_links(open_page("pages/business.py", {"id": "1"})) == [
        ":material/rss_feed: [订阅更新（Atom）](feeds/business/1.atom)"]
    assert "(feeds/lists.atom)" in feed_links(open_page("pages/lists.py"))[0]
    assert "(feeds/rounds.atom)" in feed_links(open_page("pages/rounds.py"))[0]
    assert "(feeds/rounds.atom)" in feed_links(open_page("pages/rounds.py", {"round": "1"}))[0]


@pytest.mark.security
def test_keywords_xml_cannot_carry_still_give_a_valid_feed(feeds):
    for q in ("\x0b猪", "\ufffe猪", "猪<b>&\"'"):
        document = parsed(feeds.get("/feeds/sampling.atom", params={"q": q}))
        assert "猪" in document.feed.title and "\ufffe" not in document.feed.title
    assert "“猪<b>&\"'”" in parsed(feeds.get("/feeds/sampling.atom", params={"q": "猪<b>&\"'"})).feed.title
    assert feeds.get("/feeds/sampling.atom?q=%ED%A0%80").status_code == 200   # not UTF-8


def test_the_feeds_on_each_database(settings):
    """SQLite and PostgreSQL (with PORTAL_TEST_DATABASE_URL): a business with a failed batch,
    its 核查处置 and a list entry, written as officials write (with an audit row)."""
    from portal.bootstrap import bootstrap
    from portal.sampling.models import FailedItem

    current = bootstrap(settings)
    with current.db.write() as session:
        business = Business(name="河边饭店", sector="catering", business_type="餐馆", address="永定区",
                            district_adcode="430802", lat=29.1, lng=110.4)
        session.add(business)
        session.flush()
        batch = SamplingBatch(food_name="小龙虾", result=FAILED, in_jurisdiction=True, category="水产制品",
                              identity_key="feed-test-1", content_hash="x", district_adcode="430802",
                              sampled_unit="河边饭店", sampled_business_id=business.id,
                              announcement_date=local_today())
        batch.failed_items = [FailedItem(item="镉（以Cd计）")]
        batch.disposal = Disposal(status="done", measures="下架", completed_on=local_today())
        session.add_all([batch, ListEntry(kind="black", business_id=business.id, business_name="河边饭店",
                                          reason="生产经营过期食品", authority="市场监管局",
                                          listed_on=local_today())])
        audit.record(session, PUBLISHER, "sampling_import")
        business_id = business.id
    feeds = client(current, settings)
    sampling = parsed(feeds.get("/feeds/sampling.atom?result=fail&district=430802"))
    assert [e.title for e in sampling.entries] == ["不合格：小龙虾"]
    assert "镉（以Cd计）" in sampling.entries[0].summary and "永定区" in sampling.entries[0].summary
    assert parsed(feeds.get("/feeds/sampling.atom?result=pass")).entries == []
    business_feed = parsed(feeds.get(f"/feeds/business/{business_id}.atom"))
    assert sorted(e.title for e in business_feed.entries) == [
        "不合格：小龙虾", "列入黑榜（严重违法失信名单）：河边饭店", "核查处置完成：小龙虾"]
    assert [e.title for e in parsed(feeds.get("/feeds/lists.atom")).entries] == [
        "列入黑榜（严重违法失信名单）：河边饭店"]
    empty = parsed(feeds.get("/feeds/rounds.atom"))
    assert empty.entries == [] and empty.feed.title == "你点我检"
