"""Hostile text through the public search boxes and URL parameters: never an exception, and
shown inert (no link, image or HTML made from it)."""
import pytest

from test_business_pages import open_business
from test_pages import app_env, open_page, texts  # noqa: F401
from test_sampling_pages import open_with

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[点我](javascript:alert(1))",
           "![x](http://evil.example/x.png)", "' OR 1=1 --", "%'; DROP TABLE businesses; --",
           "猪\x00肉", "\u202e肉猪", "😀🍜", "a" * 100_000, "\\", "%_%"]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_sampling_search_url(app_env, value):
    at = open_with({"q": value, "category": value, "announcement_no": value})
    assert not at.exception
    body = texts(at)
    assert "<script" not in body and "javascript:" not in body.replace("\\", "")


@pytest.mark.parametrize("value", HOSTILE[:6] + HOSTILE[8:10], ids=range(8))
def test_business_and_lists_search(app_env, value):
    at = open_business({"q": value})
    assert not at.exception
    lists = open_page("pages/lists.py")
    lists.text_input[0].input(value[:50]).run()
    assert not lists.exception


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_search_queries_on_the_database(portal, value):
    """Straight to the queries, on SQLite and PostgreSQL (which refuses NUL in text)."""
    from datetime import date

    from portal.lists import queries as lists
    from portal.ratings.queries import MapFilter, map_points
    from portal.registry import queries as registry
    from portal.sampling import queries as sampling

    with portal.db.read() as session:
        flt, _ = sampling.SamplingFilter.from_params({"q": value, "announcement_no": value})
        assert sampling.search(session, flt) == (0, [])
        assert registry.search(session, "430800", value) == (0, [])
        assert lists.active_entries(session, "black", "430800", date.today(), value) == []
        assert map_points(session, "430800", date.today(), MapFilter(name=value)) == ([], [])
