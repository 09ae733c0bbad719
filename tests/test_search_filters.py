"""One input model per search for the page's links, the API and the page's cache.

Sampling: the two public vocabularies (`result=不合格` in links shared from the page,
`result=fail` in the API) give the same filter and the same batches, and the filter itself is
the cache key. Businesses: the 商户查询 page and /businesses read one BusinessFilter."""
import re
from datetime import date
from typing import get_args
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from helpers.pages import texts
from portal.api.app import create_api
from portal.api.params import BusinessParams, SamplingParams
from portal.registry import queries as registry
from portal.registry.models import Business
from portal.registry.schemas import BusinessFilter
from portal.sampling import queries
from portal.sampling.schemas import RESULTS, SamplingFilter
from test_business_pages import open_business
from test_sampling_pages import card_titles, open_with

PAGE_LINK = {"q": "猪", "result": "不合格", "scope": "all", "date_from": "2020-01-01",
             "sort": "date_asc"}
API_QUERY = {"q": "猪", "result": "fail", "scope": "all", "date_from": "2020-01-01",
             "sort": "date_asc"}


def test_a_page_link_and_an_api_query_give_one_filter():
    from_link, problems = SamplingFilter.from_params(PAGE_LINK)
    from_api = SamplingFilter.of(SamplingParams.model_validate(API_QUERY | {"limit": "20"}))
    assert problems == []
    assert from_link == from_api == SamplingFilter(q="猪", result="fail", scope="all",
                                                   date_from=date(2020, 1, 1), sort="date_asc")
    assert type(from_api) is SamplingFilter
    # The page still writes its links in its own words, so links look as they always have.
    assert from_api.to_params() == PAGE_LINK
    # Either vocabulary works in a page link; the API keeps to its documented words.
    assert SamplingFilter.from_params(API_QUERY)[0] == from_link
    with pytest.raises(ValidationError):
        SamplingParams.model_validate({"result": "不合格"})


def test_every_result_word_and_sort_has_its_query():
    assert set(get_args(SamplingFilter.model_fields["result"].annotation)) == {"", *RESULTS}
    assert tuple(queries.SORTS) == get_args(SamplingFilter.model_fields["sort"].annotation)


def test_bad_link_values_are_dropped_with_a_message():
    flt, problems = SamplingFilter.from_params({
        "result": "maybe", "district": "x' OR 1", "date_from": "2025-02-01",
        "date_to": "2025-01-01", "sort": "nonsense", "q": "猪" * 60, "page": "3"})
    assert flt == SamplingFilter(q="猪" * 50)
    assert problems == ["查询条件过长，已截短", "结果只能是“合格”或“不合格”，已忽略",
                        "区县代码无法识别，已忽略", "开始日期晚于结束日期，已忽略"]


def test_the_filter_is_the_cache_key(monkeypatch):
    from portal.ui import cached

    calls = []
    monkeypatch.setattr(cached, "version", lambda ctx: "v1")
    monkeypatch.setattr(cached, "_sampling_search", lambda *key: calls.append(key) or (0, []))
    monkeypatch.setattr(cached, "_sampling_stats", lambda *key: calls.append(key) or {})

    class Context:
        class db:
            url = "sqlite://"

        class profile:
            population = 1_000

    flt, _ = SamplingFilter.from_params(PAGE_LINK)
    cached.sampling_search(Context, flt, 2)
    cached.sampling_stats(Context, flt, 2025)
    assert calls == [("sqlite://", "v1", flt, 2), ("sqlite://", "v1", flt, 1_000, 2025)]
    assert calls[0][2] is flt
    # Equal searches are equal keys, whichever way they came in.
    same = SamplingFilter.of(SamplingParams.model_validate(API_QUERY))
    assert {flt: 1}[same] == 1
    with pytest.raises(ValidationError):
        flt.q = "牛"   # frozen: a key cannot change under the cache


def api_client():
    from portal.ui.layout import get_portal

    portal = get_portal()
    return portal, TestClient(create_api(lambda: portal, per_minute=10_000, trusted_proxy=False))


def test_the_page_and_the_api_find_the_same_batches(app_env):
    portal, api = api_client()
    answer = api.get("/sampling?" + urlencode(API_QUERY | {"limit": queries.PAGE_SIZE}))
    assert answer.status_code == 200
    body = answer.json()
    assert body["meta"]["total"] > 0

    at = open_with(PAGE_LINK)
    assert not at.exception
    shown = re.search(r"共找到 \*\*([\d,]+)\*\* 批次", texts(at))
    assert shown and int(shown.group(1).replace(",", "")) == body["meta"]["total"]
    titles = card_titles(at)
    assert [t.split("**")[1] for t in titles] == [r["food_name"] for r in body["data"]]
    assert all(r["result"] == "fail" for r in body["data"])
    with portal.db.read() as session:
        total, batches = queries.search(session, SamplingFilter.from_params(PAGE_LINK)[0])
    assert total == body["meta"]["total"]
    assert [b.id for b in batches] == [r["id"] for r in body["data"]]


def test_the_business_page_and_the_api_read_one_filter(app_env):
    portal, api = api_client()
    with portal.db.read() as session:
        some = session.scalars(select(Business).order_by(Business.id).limit(1)).one()
        link = {"q": some.name[-2:], "type": some.business_type}
    flt, problems = BusinessFilter.from_params(link | {"page": "1"})
    assert problems == [] and flt.to_params() == link
    assert flt == BusinessFilter.of(BusinessParams.model_validate(link | {"limit": "500"}))

    body = api.get("/businesses?" + urlencode(link | {"limit": 500})).json()
    with portal.db.read() as session:
        total, found = registry.search(session, portal.profile.adcode, flt, limit=500)
        by_name, _ = registry.search(session, portal.profile.adcode, BusinessFilter(q=link["q"]))
    assert total == body["meta"]["total"] > 0
    assert [b.id for b in found] == [r["id"] for r in body["data"]]
    at = open_business(link)
    assert not at.exception and f"共找到 **{total:,}** 家" in texts(at)

    # A bad district in a link is dropped with a message; the API refuses it.
    at = open_business({"q": link["q"], "district": "x"})
    assert "链接中的条件有误：区县代码无法识别，已忽略" in texts(at)
    assert f"共找到 **{by_name:,}** 家" in texts(at)
    assert api.get("/businesses?district=x").status_code == 422
