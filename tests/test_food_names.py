"""English food names in the sampling search: the glossary, the query, the page and the API."""
import json

import pytest

from conftest import ROOT
from portal.sampling import food_names, queries
from portal.sampling.search_index import query_pairs
from test_api import make_client
from helpers.pages import texts
from test_sampling_import import _import, _xlsx
from test_sampling_pages import card_titles, open_with

HEADER = ["食品名称", "被抽样单位名称", "标称生产企业名称", "公告日期", "判定"]
ROWS = [["猪肉", "张家界市永定区甲店", "某厂", "2025-01-01", "合格"],
        ["酱卤猪肉", "张家界市永定区乙店", "某厂", "2025-01-02", "合格"],
        ["猪肝", "张家界市永定区丙店", "某厂", "2025-01-03", "合格"],
        ["牛肉", "张家界市永定区丁店", "某厂", "2025-01-04", "合格"],
        ["大米", "张家界市永定区戊店", "Pork Valley 米业", "2025-01-05", "合格"],
        ["纯牛奶", "张家界市永定区己店", "某乳业", "2025-01-06", "合格"],
        ["鸡蛋", "张家界市永定区庚店", "某厂", "2025-01-07", "合格"]]


def test_glossary_covers_common_foods_with_indexable_terms():
    data = json.loads((ROOT / "data" / "sampling" / "food_names_en.json").read_text("utf-8"))
    for entry in data["foods"]:
        assert entry["en"] and entry["zh"]
        assert all(name == name.lower().strip() for name in entry["en"])
        # Two characters or more: every term is served by the pair index, never a table scan.
        assert all(len(query_pairs(term)) >= 1 for term in entry["zh"]), entry
    for name in ("pork", "beef", "mutton", "lamb", "chicken", "duck", "egg", "fish", "shrimp",
                 "rice", "flour", "noodles", "bread", "milk", "yogurt", "tea", "vegetables",
                 "cabbage", "chili", "tofu", "soy sauce", "vinegar", "cooking oil", "peanut",
                 "wine", "beer", "baijiu", "candy", "cake", "ice cream", "honey", "pickles"):
        assert food_names.chinese_terms(name), name


def test_english_names_expand_and_chinese_stays_as_typed():
    assert "猪肉" in food_names.chinese_terms("Pork")
    assert food_names.chinese_terms("  EGGS ") == food_names.chinese_terms("egg")
    assert food_names.chinese_terms("candies") == food_names.chinese_terms("candy")
    assert food_names.chinese_terms("ice-cream") == food_names.chinese_terms("ice cream")
    assert "酱油" in food_names.chinese_terms("Soy Sauce")
    assert food_names.search_terms("猪肉") == ["猪肉"]
    assert food_names.search_terms("abc") == ["abc"]
    assert food_names.search_terms("pork")[0] == "pork"
    assert food_names.chinese_terms("pork'; drop table") == ()


def test_searching_pork_finds_pork_batches(portal):
    assert _import(portal, _xlsx([HEADER, *ROWS]), "s.xlsx").imported == len(ROWS)
    with portal.db.read() as session:
        def names(q, **kw):
            total, found = queries.search(session, queries.SamplingFilter(q=q, scope="all", **kw))
            assert total == len(found)
            return sorted(b.food_name for b in found)
        # The producer's Latin name still matches the keyword itself.
        assert names("pork") == ["大米", "猪肉", "猪肝", "酱卤猪肉"]
        assert names("Pork") == names("pork")
        assert names("milk") == ["纯牛奶"]
        assert names("eggs") == ["鸡蛋"]
        assert names("rice") == ["大米"]
        assert names("猪肉") == ["猪肉", "酱卤猪肉"]
        queries.SCAN_IN_ORDER_FROM, saved = 0, queries.SCAN_IN_ORDER_FROM  # the many-hits plan
        try:
            assert names("pork") == ["大米", "猪肉", "猪肝", "酱卤猪肉"]
        finally:
            queries.SCAN_IN_ORDER_FROM = saved
        assert names("pork", date_from=__import__("datetime").date(2025, 1, 2)) == \
            ["大米", "猪肝", "酱卤猪肉"]

    api = make_client(portal)
    found = api.get("/sampling", params={"q": "pork", "scope": "all", "limit": 50}).json()
    assert sorted(r["food_name"] for r in found["data"]) == ["大米", "猪肉", "猪肝", "酱卤猪肉"]
    assert found["meta"]["total"] == 4


def test_english_visitor_searching_pork_on_the_page(app_env):
    at = open_with({"q": "pork", "lang": "en"})
    assert not at.exception
    titles = card_titles(at)
    assert titles and all(any(term in title for term in food_names.chinese_terms("pork"))
                          for title in titles), titles
    assert "No sampling results" not in texts(at)
