"""The open-data API (/api/v1): every endpoint against the database (SQLite and PostgreSQL),
its field spec, paging, CSV, Last-Modified, bad parameters, limits and personal data."""
from __future__ import annotations

import csv
import inspect
import io
import threading
from datetime import date, timedelta
from typing import get_args

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers.complaints import NAME, PHONE, add_business, client, complaint_form
from helpers.db import count_rows, official
from portal.api import schemas
from portal.api import test_rooms as api_test_rooms
from portal.api.app import create_api, csv_columns
from portal.clients import client_address
from portal.api.limits import Busy, QuerySlots
from portal.api.rapid_records import RapidTest
from portal.client_window import ClientWindow
from portal.complaints import filing, handling
from portal.complaints import stats as complaint_stats
from portal.complaints.models import SUBMITTED, Complaint
from portal.registry.models import CATERING, SECTOR_LABELS, Business, District
from portal.sampling.models import DISPOSAL_STATUS_LABELS, FAILED, SamplingBatch

LIST_ENDPOINTS = {"/sampling": schemas.SamplingBatch, "/businesses": schemas.Business,
                  "/lists": schemas.ListEntry, "/rounds": schemas.Round,
                  "/requests": schemas.ServiceRequest, "/test-rooms": api_test_rooms.TestRoom,
                  "/rapid-tests": RapidTest}
COUNTS = {"businesses": 600, "sampling_batches": 300, "complaints": 80, "votes": 300,
          "survey_responses": 20, "rapid_tests": 600}


def make_client(portal, portal_provider=None, **options) -> TestClient:
    options = {"per_minute": 10_000, "trusted_proxy": False} | options
    return TestClient(create_api(portal_provider or (lambda: portal), **options))


@pytest.fixture
def demo_portal(portal):
    from portal.demo import generator

    generator.generate(portal.db, portal.profile, "small", counts=COUNTS,
                       secret_key=portal.settings.secret_key)
    return portal


@pytest.fixture
def api(demo_portal):
    return make_client(demo_portal)


def local_batches():
    return select(SamplingBatch.id).where(SamplingBatch.in_jurisdiction.is_(True))


def walk(api, url: str) -> list[dict]:
    """Every record of a list endpoint, by following meta.next."""
    records = []
    while url:
        body = api.get(url).json()
        records.extend(body["data"])
        url = body["meta"]["next"]
    return records


@pytest.mark.security
@pytest.mark.parametrize("public_url", ["", "https://food.example.gov.cn"])
def test_the_index_never_builds_links_from_a_forged_host(portal, public_url):
    """Mounted as streamlit_app.py mounts it; the client says it reached evil.example."""
    from starlette.applications import Starlette
    from starlette.routing import Mount

    site = Starlette(routes=[Mount("/api/v1", app=create_api(
        lambda: portal, per_minute=100, trusted_proxy=False, public_url=public_url))])
    body = TestClient(site).get("/api/v1/", headers={"Host": "evil.example"}).json()
    links = [body["openapi"], *body["endpoints"]]
    assert "evil.example" not in str(body)
    assert f"{public_url}/api/v1/sampling" in links and body["openapi"] == f"{public_url}/api/v1/openapi.json"
    assert all(link.startswith(public_url + "/api/v1/") for link in links)


def test_every_endpoint_answers_with_its_documented_fields(api, demo_portal):
    spec = api.get("/openapi.json").json()
    assert spec["info"]["version"] == "1.0.0"
    with demo_portal.db.read() as session:
        batch_id = session.scalar(select(func.min(SamplingBatch.id)))
        business_id = session.scalar(select(func.min(Business.id)))
    ids = {"batch_id": batch_id, "round_id": 1, "business_id": business_id}
    for path, item in spec["paths"].items():
        assert set(item) == {"get"}, path
        url = path.format(**ids)
        response = api.get(url)
        assert response.status_code == 200, (url, response.text)
        assert response.headers["content-type"].startswith("application/json")
        if path in LIST_ENDPOINTS:
            body = response.json()
            assert body["data"], path
            assert body["meta"]["demo"] is True and "演示数据" in body["meta"]["notice"]
            fields = set(LIST_ENDPOINTS[path].model_fields)
            assert all(set(record) == fields for record in body["data"]), path
            # The published schema names the same fields, each described in both languages.
            name = f"{LIST_ENDPOINTS[path].__name__}"
            published = spec["components"]["schemas"][name]["properties"]
            assert set(published) == fields
            assert all(" / " in p.get("description", "") for p in published.values()), name
    assert set(LIST_ENDPOINTS) | {"/complaints/stats", "/services", "/sampling/{batch_id}",
                                  "/rounds/{round_id}", "/businesses/{business_id}"} <= set(spec["paths"])
    one = api.get(f"/businesses/{business_id}").json()
    assert one["id"] == business_id and set(one) == set(schemas.Business.model_fields)


def test_totals_and_paging_match_the_database(api, demo_portal):
    records = walk(api, "/sampling?limit=37")
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == count_rows(demo_portal, local_batches())
    everything = api.get("/sampling?scope=all&limit=1").json()["meta"]["total"]
    assert everything == count_rows(demo_portal, select(SamplingBatch.id))
    businesses = walk(api, "/businesses?limit=500")
    in_city = select(Business.id).join(District).where(
        District.jurisdiction_adcode == demo_portal.profile.adcode)
    assert len({b["id"] for b in businesses}) == count_rows(demo_portal, in_city)
    requests = walk(api, "/requests?limit=50")
    on_record = select(Complaint.id).where(Complaint.merged_into_id.is_(None),
                                           Complaint.status != SUBMITTED)
    assert len({r["service_request_id"] for r in requests}) == count_rows(demo_portal, on_record)
    # Offsets past the end give an empty page, not an error.
    past = api.get("/sampling?offset=1000000").json()
    assert past["data"] == [] and past["meta"]["next"] is None


def test_filters_agree_with_the_database(api, demo_portal):
    failed = api.get("/sampling?result=fail&limit=500").json()
    assert failed["meta"]["total"] == count_rows(demo_portal, local_batches().where(
        SamplingBatch.result == FAILED))
    assert all(r["result"] == "fail" and r["failed_items"] and r["disposal"] for r in failed["data"])
    # Statuses and sectors keep their v1 Chinese labels, each with a stable code beside it.
    assert {(r["disposal"]["status_code"], r["disposal"]["status"]) for r in failed["data"]} <= set(
        DISPOSAL_STATUS_LABELS.items())
    sample = failed["data"][0]
    by_district = api.get(f"/sampling?district={sample['district_adcode']}&limit=500").json()
    assert {r["district_adcode"] for r in by_district["data"]} == {sample["district_adcode"]}
    day = sample["announcement_date"]
    on_day = api.get(f"/sampling?date_from={day}&date_to={day}&limit=500").json()["data"]
    assert on_day and all(r["announcement_date"] == day for r in on_day)
    word = sample["food_name"][:2]
    assert all(word in (r["food_name"] + (r["producer_name"] or "") + r["sampled_unit"])
               for r in api.get(f"/sampling?q={word}").json()["data"])
    assert api.get(f"/sampling/{sample['id']}").json() == sample

    canteens = api.get("/businesses?type=餐馆&limit=500").json()["data"]
    assert canteens and {b["business_type"] for b in canteens} == {"餐馆"}
    assert {(b["sector_code"], b["sector"]) for b in canteens} == {(CATERING, "餐饮服务")}
    # The spec lists exactly the stored codes.
    assert set(get_args(schemas.Business.model_fields["sector_code"].annotation)) == set(SECTOR_LABELS)
    assert set(get_args(schemas.Disposal.model_fields["status_code"].annotation)) == set(
        DISPOSAL_STATUS_LABELS)
    graded = [b for b in canteens if b["rating"] and b["rating"]["dynamic_grade"]]
    assert graded and all(b["rating"]["face"] and b["rating"]["dynamic_grade_zh"] for b in graded)

    black = api.get("/lists?kind=black").json()["data"]
    assert black and {e["kind"] for e in black} == {"black"}

    closed = walk(api, "/requests?status=closed&limit=200")
    assert closed and all(r["status"] == "closed" and r["closed_date"] for r in closed)
    opened = walk(api, "/requests?status=open&limit=200")
    assert all(r["business_name"] is None and r["outcome"] is None for r in opened)
    code = closed[0]["service_code"]
    assert {r["service_code"] for r in walk(api, f"/requests?service_code={code}&limit=200")} == {code}
    services = api.get("/services").json()
    assert code in {s["service_code"] for s in services}

    stats = api.get("/complaints/stats?by=district").json()
    with demo_portal.db.read() as session:
        expected = complaint_stats.summary(session)
    assert (stats["received"], stats["finished"], stats["on_time_rate"]) == (
        expected.received, expected.finished, expected.on_time_rate)
    assert sum(row["received"] for row in stats["rows"]) == expected.received
    months = api.get("/complaints/stats?by=month").json()["rows"]
    assert sum(row["received"] for row in months) == expected.received
    assert all(len(row["key"]) == 7 for row in months)

    rounds = api.get("/rounds").json()["data"]
    published = next(r for r in rounds if r["phase"] == "published")
    assert published["votes"] == sum(c["votes"] for c in published["candidates"])
    assert any(c["batch_ids"] for c in published["candidates"] if c["selected"])
    voting = api.get("/rounds?phase=voting").json()["data"]
    assert voting and {r["phase"] for r in voting} == {"voting"}


def test_csv_has_the_same_columns_on_every_page(api):
    for path, record in LIST_ENDPOINTS.items():
        response = api.get(f"{path}?format=csv&limit=5")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == [name for name, _ in csv_columns(record)]
        assert 1 <= len(rows) - 1 <= 5
        assert all(len(row) == len(rows[0]) for row in rows)
    stats = api.get("/complaints/stats?format=csv&by=kind").content.decode("utf-8-sig")
    assert stats.splitlines()[0] == "key,label,received,accepted,finished,on_time,rated,satisfied"


def test_last_modified_and_conditional_requests(api, demo_portal):
    from portal.lists.models import ListEntry
    from portal.timeutil import utcnow

    with demo_portal.db.write() as session:      # the lists last changed an hour ago
        for entry in session.scalars(select(ListEntry)):
            entry.updated_at = utcnow() - timedelta(hours=1)
    first = api.get("/lists")
    stamp = first.headers["last-modified"]
    assert stamp.endswith("GMT")
    assert api.get("/lists", headers={"If-Modified-Since": stamp}).status_code == 304
    # A change to the data moves the date on, and the next conditional request gets data.
    with demo_portal.db.write() as session:
        session.scalars(select(ListEntry)).first().updated_at = utcnow()
    again = api.get("/lists", headers={"If-Modified-Since": stamp})
    assert again.status_code == 200
    assert again.headers["last-modified"] != stamp
    assert api.get("/lists", headers={"If-Modified-Since": "not a date"}).status_code == 200


BAD = [
    ("/sampling?limit=0", 422, "limit"), ("/sampling?limit=501", 422, "limit"),
    ("/sampling?limit=abc", 422, "limit"), ("/sampling?offset=-1", 422, "offset"),
    ("/sampling?result=maybe", 422, "result"), ("/sampling?date_from=2024-13-01", 422, "date_from"),
    ("/sampling?district=12", 422, "district"), ("/sampling?q=" + "长" * 51, 422, "q"),
    ("/sampling?format=xml", 422, "format"), ("/sampling?scope=world", 422, "scope"),
    ("/sampling?foo=1", 400, "foo"), ("/businesses?grade=A", 400, "grade"),
    ("/lists?kind=grey", 422, "kind"), ("/rounds?phase=done", 422, "phase"),
    ("/rounds?limit=1000", 422, "limit"), ("/requests?status=pending", 422, "status"),
    ("/requests?offset=x", 422, "offset"), ("/requests?service_code=nope", 422, "service_code"), ("/complaints/stats?by=year", 422, "by"),
    ("/complaints/stats?limit=5", 400, "limit"), ("/sampling/0", 422, "batch_id"),
    ("/sampling/abc", 422, "batch_id"), ("/rounds/99999999999", 422, "round_id"),
]


@pytest.mark.security
@pytest.mark.parametrize("url,status,parameter", BAD)
def test_bad_parameters_get_a_json_error_naming_them(url, status, parameter):
    def no_database():
        raise AssertionError("a bad parameter is refused before any query")

    response = make_client(None, portal_provider=no_database).get(url)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status
    assert error["code"] == ("unknown_parameter" if status == 400 else "invalid_parameter")
    assert parameter in {p["parameter"] for p in error["problems"]}
    assert parameter in error["message"] and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    assert parameter in error["message_en"]


@pytest.mark.security
def test_reversed_dates_unknown_paths_and_methods(portal):
    api = make_client(portal)
    reversed_ = api.get("/requests?date_from=2026-02-01&date_to=2026-01-01")
    assert reversed_.status_code == 422 and "晚于" in reversed_.json()["error"]["message"]
    for url in ("/nothing-here", "/sampling/123456", "/rounds/77", "/businesses/424242"):
        missing = api.get(url)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    posted = api.post("/sampling", json={})
    assert posted.status_code == 405 and posted.json()["error"]["code"] == "method_not_allowed"
    # Hostile text in a filter is just a search that finds nothing.
    for q in ("<script>alert(1)</script>", "'; DROP TABLE sampling_batches; --", "\u202e反转", "%_%"):
        found = api.get("/sampling", params={"q": q})
        assert found.status_code == 200 and found.json()["meta"]["total"] == 0


@pytest.mark.security
def test_cases_never_carry_personal_data(portal):
    from portal.demo import generator

    generator.generate(portal.db, portal.profile, "small", counts=COUNTS | {"complaints": 10},
                       secret_key=portal.settings.secret_key)
    business_id = add_business(portal, "个人信息测试餐馆")
    description = "独特描述文字：在后厨看到老鼠跑过，联系人住在幸福小区。"
    with portal.db.write() as session:
        receipt = filing.submit(session, portal.settings.secret_key, portal.profile.adcode,
                                complaint_form(business_id, description=description,
                                               address="幸福小区 8 栋"), [], client(9))
    officer = official(portal, "handler")
    with portal.db.write() as session:
        handling.accept(session, officer, receipt.complaint_id)
    with portal.db.write() as session:
        handling.close(session, officer, receipt.complaint_id, "调解成功", "经调解，商户同意退款。联系人王小明已确认。")
    api = make_client(portal)
    texts = [api.get(f"/requests?limit=500&format={f}").text for f in ("json", "csv")]
    texts.append(api.get("/complaints/stats?by=district").text)
    for text in texts:
        for secret in (NAME, PHONE, PHONE[-4:] + "\"", description[:10], receipt.tracking_no,
                       "幸福小区", "经调解，商户同意退款"):
            assert secret not in text, secret
    ours = [r for r in api.get("/requests?status=closed&limit=500").json()["data"]
            if r["service_request_id"] == f"FS{receipt.complaint_id}"]
    assert ours and ours[0]["business_name"] == "个人信息测试餐馆" and ours[0]["outcome"] == "调解成功"


@pytest.mark.security
def test_each_client_is_limited_and_told_when_to_come_back(portal):
    api = make_client(portal, per_minute=3)
    answers = [api.get("/services") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["x-ratelimit-remaining"] == "2"
    refused = answers[-1]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["error"]["code"] == "too_many_requests" and "每分钟最多 3 次" in refused.text
    # A forged X-Forwarded-For does not buy a new allowance unless a proxy is trusted.
    assert api.get("/services", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    behind_proxy = make_client(portal, per_minute=1, trusted_proxy=True)
    assert behind_proxy.get("/services", headers={"X-Real-IP": "198.51.100.1"}).status_code == 200
    assert behind_proxy.get("/services", headers={"X-Real-IP": "198.51.100.1"}).status_code == 429
    assert behind_proxy.get("/services", headers={"X-Real-IP": "198.51.100.2"}).status_code == 200


def test_window_forgets_requests_older_than_a_minute():
    now = [1000.0]
    window = ClientWindow(2, clock=lambda: now[0])
    assert window.check("a").allowed and window.check("a").allowed
    refused = window.check("a")
    assert not refused.allowed and refused.retry_after == 60
    assert window.check("b").allowed
    now[0] += 59.5
    assert not window.check("a").allowed
    now[0] += 1
    assert window.check("a").allowed


@pytest.mark.security
def test_client_address_trusts_only_our_proxy():
    headers = {"X-Forwarded-For": "6.6.6.6, 10.1.1.1"}
    assert client_address("127.0.0.1", headers, trusted_proxy=False) == "127.0.0.1"
    assert client_address("127.0.0.1", headers, trusted_proxy=True) == "10.1.1.1"
    assert client_address("127.0.0.1", headers | {"X-Real-IP": "10.2.2.2"}, True) == "10.2.2.2"


def test_queries_beyond_the_slots_wait_then_get_503(portal):
    slots = QuerySlots(1, wait_seconds=0.2)
    api = make_client(portal, slots=slots)
    held, release = threading.Event(), threading.Event()

    def hold():
        with slots.slot():
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(5)
        busy = api.get("/lists")
        assert busy.status_code == 503 and busy.json()["error"]["code"] == "busy"
        assert busy.headers["retry-after"] == "5"
    finally:
        release.set()
        holder.join()
    assert api.get("/lists").status_code == 200
    single = QuerySlots(1, wait_seconds=0.01)
    with single.slot():
        with pytest.raises(Busy):
            with single.slot():
                pass


def test_routes_that_read_the_database_are_plain_functions(portal):
    app = create_api(lambda: portal, per_minute=10, trusted_proxy=False)
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 10
    assert not [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)]


def test_an_empty_portal_answers_with_empty_pages(portal):
    api = make_client(portal)
    for path in LIST_ENDPOINTS:
        body = api.get(path).json()
        assert body["data"] == [] and body["meta"]["total"] == 0 and body["meta"]["demo"] is False
    stats = api.get("/complaints/stats").json()
    assert stats["received"] == 0 and stats["finish_rate"] is None
    assert "last-modified" not in api.get("/lists").headers


def test_demo_flag_follows_the_records(portal):
    business_id = add_business(portal, "真实登记餐馆")
    body = make_client(portal).get("/businesses").json()
    assert [b["id"] for b in body["data"]] == [business_id]
    assert body["meta"]["demo"] is False and "演示" not in body["meta"]["notice"]
    assert date.fromisoformat(body["data"][0]["updated_at"][:10])
