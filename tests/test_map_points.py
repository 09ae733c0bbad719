"""GET /api/v1/map-points (portal.map_feed, portal.api.map_points): the map's points as one
cached document per filter: what it answers, its validation, ETag and 304, how a write by any
process is seen at once, and the bounds a stranger cannot push past."""
from __future__ import annotations

import gzip
import json
import threading
from datetime import date

import pytest
from fastapi.testclient import TestClient

from portal.accounts import audit
from portal import map_feed
from portal.accounts.rules import Actor
from portal.api.app import create_api
from portal.db import Database
from portal.ratings import actions as rating_actions
from portal.ratings.queries import MapFilter, map_points
from portal.registry.models import Business
from portal.timeutil import local_today

PUBLISHER = Actor(None, "pub", "发布员", frozenset({"publisher"}))
DISTRICT = "430802"


def _client(portal, **options) -> TestClient:
    options = {"per_minute": 10_000, "trusted_proxy": False} | options
    return TestClient(create_api(lambda: portal, **options))


@pytest.fixture
def businesses(portal):
    """Four businesses: two restaurants (one inspected), a school canteen, a shop."""
    today = local_today()
    with portal.db.write() as session:
        rows = [Business(name=name, sector=sector, business_type=kind, address="永定区人民路1号",
                         district_adcode=DISTRICT, lat=29.1 + i / 1000, lng=110.4, licence_date=date(2020, 1, 1))
                for i, (name, sector, kind) in enumerate([
                    ("人民饭店", "catering", "餐馆"), ("河边饭店", "catering", "餐馆"),
                    ("一中食堂", "catering", "学校食堂"), ("解放超市", "retail", "超市")])]
        session.add_all(rows)
        session.flush()
        ids = [b.id for b in rows]
        rating_actions.add_inspection(session, PUBLISHER, ids[0], {"inspected_on": today, "score": 9.5})
    return ids


@pytest.fixture
def api(portal, businesses):
    return _client(portal)


def _rows(response) -> list[list]:
    return response.json()["data"]


def test_the_points_as_the_map_draws_them(api, portal, businesses):
    response = api.get("/map-points")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["meta"]["count"] == 4 and body["meta"]["crs"] == "wgs84"
    assert body["meta"]["columns"] == ["lat", "lng", "class", "kind", "id", "months"]
    by_id = {row[4]: row for row in body["data"]}
    assert set(by_id) == set(businesses)
    first = by_id[businesses[0]]
    assert body["meta"]["classes"][first[2]] == "优秀" and body["meta"]["kinds"][first[3]] == "餐馆"
    assert first[:2] == [29.1, 110.4] and first[5] == 0
    assert body["meta"]["classes"][by_id[businesses[3]][2]] == "非餐饮"
    assert by_id[businesses[1]][5] == -1                  # never inspected
    # The same rows as the query the page used to embed.
    with portal.db.read() as session:
        rows, kinds = map_points(session, portal.profile.adcode, local_today(), MapFilter())
    assert len(rows) == 4 and kinds == body["meta"]["kinds"]


def test_filters_and_the_page_address_agree(api, portal, businesses):
    """The address the page writes into the map (map_feed.address) asks the route for exactly
    the page's filter."""
    filters = [MapFilter(kinds=("学校食堂", "养老机构食堂")), MapFilter(classes=("优秀", "非餐饮")),
               MapFilter(name="饭店"), MapFilter(district=DISTRICT, kinds=("餐馆",), classes=("暂不评级",)),
               MapFilter(kitchen="透明厨房"), MapFilter(district="430821")]
    for flt in filters:
        with portal.db.read() as session:
            expected = {row[4] for row in map_points(session, portal.profile.adcode, local_today(), flt)[0]}
        response = api.get("/" + map_feed.address(flt, "wgs84", "0" * 32).removeprefix("api/v1/"))
        assert response.status_code == 200, response.text
        assert {row[4] for row in _rows(response)} == expected, flt
    counts = [len(_rows(api.get("/" + map_feed.address(f, "wgs84").removeprefix("api/v1/"))))
              for f in filters]
    assert counts == [1, 2, 2, 1, 0, 0]


def test_gcj02_points_are_shifted_for_amap_tiles(api, businesses):
    from portal.maps import to_display_crs

    plain = {row[4]: row for row in _rows(api.get("/map-points"))}
    shifted = {row[4]: row for row in _rows(api.get("/map-points?crs=gcj02"))}
    lat, lng = to_display_crs("amap", *plain[businesses[0]][:2])
    assert shifted[businesses[0]][:2] == [round(lat, 6), round(lng, 6)]
    assert shifted[businesses[0]][2:] == plain[businesses[0]][2:]


@pytest.mark.parametrize("query, status, parameter, message", [
    ("grade=best", 422, "grade", "参数 grade：只能是"),
    ("kitchen=glass", 422, "kitchen", "参数 kitchen：只能是"),
    ("crs=bd09", 422, "crs", "参数 crs：只能是"),
    ("district=12", 422, "district", "参数 district：应为 6 位数字的区县代码"),
    ("name=" + "饭" * 31, 422, "name", "参数 name：最多 30 个字"),
    ("kind=" + "馆" * 31, 422, "kind", "参数 kind：最多 30 个字"),
    ("&".join(["kind=餐馆"] * 41), 422, "kind", "参数 kind：最多 40 个"),
    ("v=<script>", 422, "v", "参数 v：格式不对"),
    ("limit=5", 400, "limit", "不认识的参数：limit"),
])
def test_bad_parameters_are_refused_with_a_clear_message(api, query, status, parameter, message):
    response = api.get(f"/map-points?{query}")
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["problems"][0]["parameter"] == parameter
    assert message in error["message"] and error["message_en"]


def test_etag_304_gzip_and_cache_control(api):
    plain = api.get("/map-points", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    etag = plain.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")          # strong
    assert plain.headers["cache-control"] == "public, max-age=15"
    assert plain.headers["vary"] == "Accept-Encoding"
    # What a browser gets: the compressed bytes, with their own ETag.
    raw = api.get("/map-points", headers={"Accept-Encoding": "gzip, deflate"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["etag"] == etag[:-1] + '-gzip"'
    assert json.loads(raw.content) == plain.json()        # the client undid the gzip
    for tag in (etag, raw.headers["etag"], f'W/{etag}', f'"other", {etag}', "*"):
        again = api.get("/map-points", headers={"If-None-Match": tag})
        assert again.status_code == 304 and not again.content, tag
        assert again.headers["etag"] and again.headers["cache-control"]
    assert api.get("/map-points", headers={"If-None-Match": '"other"'}).status_code == 200
    # Another filter is another document.
    assert api.get("/map-points?grade=excellent").headers["etag"] != raw.headers["etag"]


def test_the_body_is_compressed_once_not_per_request(portal, businesses):
    entry = map_feed.points(portal.db, portal.profile.adcode, MapFilter(), "wgs84", local_today())
    assert gzip.decompress(entry.body) == entry.json_bytes()
    again = map_feed.points(portal.db, portal.profile.adcode, MapFilter(), "wgs84", local_today())
    assert again is entry


def test_a_write_through_another_process_is_seen_at_once(api, portal, businesses, settings):
    first = api.get("/map-points")
    etag = first.headers["etag"]
    unrated = len(_rows(api.get("/map-points?grade=unrated")))
    # Another process: its own engine on the same database, an official's action.
    other = Database(settings.database_url)
    try:
        with other.write() as session:
            rating_actions.add_inspection(session, PUBLISHER, businesses[1],
                                          {"inspected_on": local_today(), "score": 8.0})
    finally:
        other.engine.dispose()
    after = api.get("/map-points", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert len(_rows(api.get("/map-points?grade=unrated"))) == unrated - 1
    # A new business, and an edit of one (its position), each change the answer too: written
    # as the registry importer and the edit form write, with their audit row in the same
    # transaction (which changes the data version).
    with portal.db.write() as session:
        session.add(Business(name="新开饭店", sector="catering", business_type="餐馆", address="永定区",
                             district_adcode=DISTRICT, lat=29.2, lng=110.5))
        audit.record(session, PUBLISHER, "businesses_import")
    added = api.get("/map-points")
    assert added.json()["meta"]["count"] == 5
    with portal.db.write() as session:
        session.get(Business, businesses[2]).lat = 29.3
        audit.record(session, PUBLISHER, "business_update", object_type="business",
                     object_id=businesses[2])
    moved = api.get("/map-points", headers={"If-None-Match": added.headers["etag"]})
    assert moved.status_code == 200
    assert {row[4]: row[0] for row in _rows(moved)}[businesses[2]] == 29.3


@pytest.mark.security
def test_the_cache_is_bounded_in_entries_and_bytes(portal, businesses):
    cache = map_feed.PointsCache(max_entries=3, max_bytes=10_000)
    for i in range(20):
        map_feed.points(portal.db, portal.profile.adcode, MapFilter(name=f"饭店{i}"), "wgs84",
                        local_today(), cache=cache)
    assert len(cache) == 3 and cache.size <= 10_000 and cache.builds == 20
    # The most recent are kept; a filter written differently is the same entry.
    before = cache.builds
    map_feed.points(portal.db, portal.profile.adcode, MapFilter(name=" 饭店19 "), "wgs84",
                    local_today(), cache=cache)
    map_feed.points(portal.db, portal.profile.adcode, MapFilter(kinds=("超市", "餐馆", "超市")), "wgs84",
                    local_today(), cache=cache)
    map_feed.points(portal.db, portal.profile.adcode, MapFilter(kinds=("餐馆", "超市")), "wgs84",
                    local_today(), cache=cache)
    assert cache.builds == before + 1
    tiny = map_feed.PointsCache(max_bytes=10)            # an answer larger than the whole cache
    map_feed.points(portal.db, portal.profile.adcode, MapFilter(), "wgs84", local_today(), cache=tiny)
    assert len(tiny) == 0 and tiny.size == 0


@pytest.mark.security
def test_a_stranger_cannot_make_the_server_build_without_end(portal, businesses):
    """Each client may cause a few builds a minute; cached answers are never refused."""
    api = _client(portal)
    common = api.get("/map-points")
    assert common.status_code == 200
    answers = [api.get(f"/map-points?name=饭店{i}") for i in range(20)]
    statuses = [r.status_code for r in answers]
    assert statuses.count(200) <= 12 and statuses[-1] == 429
    refused = answers[-1]
    assert "地图筛选过于频繁" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert api.get("/map-points").status_code == 200            # still served from the cache


@pytest.mark.security
def test_builds_wait_for_each_other_then_give_up_with_503(portal, businesses):
    cache = map_feed.PointsCache(wait_seconds=0.2)
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(10)
        return map_feed.build(portal.db, portal.profile.adcode, MapFilter(), "wgs84", local_today())

    holder = threading.Thread(target=lambda: cache.get(("k",), (), slow))
    holder.start()
    started.wait(5)
    try:
        with pytest.raises(map_feed.Busy):
            cache.get(("other",), (), slow)
    finally:
        release.set()
        holder.join(10)
    assert len(cache) == 1


@pytest.mark.security
def test_the_route_answers_503_when_the_build_slot_stays_taken(portal, businesses, monkeypatch):
    api = _client(portal)
    monkeypatch.setattr(map_feed.CACHE, "wait_seconds", 0.1)
    taken = map_feed.CACHE._building
    assert taken.acquire(timeout=5)
    try:
        response = api.get("/map-points?name=不在缓存里")
    finally:
        taken.release()
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["error"]["message"] == "服务繁忙，请稍后再试"
