"""Hostile text through the public search boxes and URL parameters: never an exception, and
shown inert (no link, image or HTML made from it)."""
import pytest

from test_business_pages import open_business
from helpers.pages import open_page, texts
from test_sampling_pages import open_with

pytestmark = pytest.mark.security

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
    from portal.registry.schemas import BusinessFilter
    from portal.sampling import queries as sampling

    with portal.db.read() as session:
        flt, _ = sampling.SamplingFilter.from_params({"q": value, "announcement_no": value})
        assert sampling.search(session, flt) == (0, [])
        assert registry.search(session, "430800", BusinessFilter.from_params({"q": value})[0]) == (0, [])
        assert lists.active_entries(session, "black", "430800", date.today(), value) == []
        assert map_points(session, "430800", date.today(), MapFilter(name=value)) == ([], [])


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_complaint_fields_store_verbatim_or_refuse(portal, value):
    """Every free-text field of the complaint form and the tracking lookup, on SQLite and
    PostgreSQL: refused with a message (control characters, too long) or stored as typed."""
    from sqlalchemy import select

    from helpers.complaints import add_business, client, complaint_form
    from portal.complaints import filing
    from portal.complaints.models import Complaint
    from portal.validation import InputError

    business_id = add_business(portal)
    data = complaint_form(business_id, description="问题描述：" + value, claim=value[:500] or "退款",
                          contact_name=value[:40])
    try:
        with portal.db.write() as session:
            receipt = filing.submit(session, portal.settings.secret_key, portal.profile.adcode,
                                    data, [], client())
    except InputError as exc:
        assert exc.errors   # a message saying what to fix
        with portal.db.read() as session:
            assert session.scalar(select(Complaint.id)) is None
    else:
        with portal.db.read() as session:
            assert session.get(Complaint, receipt.complaint_id).description == "问题描述：" + value.strip()
    with portal.db.write() as session:
        assert filing.find_case(session, portal.settings.secret_key, value, value, client(3)) is None


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_survey_and_proposal_text_store_verbatim_or_refuse(portal, value):
    """The survey's free text and a 你点我检 proposal, on SQLite and PostgreSQL."""
    from datetime import datetime, timedelta

    from portal.rounds import participation
    from portal.rounds.models import Round
    from portal.surveys import responses
    from portal.surveys.definition import load_survey
    from portal.timeutil import local_today
    from portal.validation import InputError

    survey = load_survey("food_safety_2026")
    answers = {q.id: 4 for q in survey.questions if q.type == "scale5"} | {"q_open": value}
    profile = {"district": "430802", "area": "城镇", "age_group": "30–44岁"}
    try:
        with portal.db.write() as session:
            responses.submit(session, portal.settings.secret_key, survey, {"430802"}, profile,
                             answers, responses.Respondent(browser_hash="b" * 64), "10.0.0.1",
                             now=datetime(2026, 6, 1, 4))
    except InputError as exc:
        assert exc.errors
    today = local_today()
    with portal.db.write() as session:
        r = Round(title="测试", description="测试一期", proposal_from=today,
                  proposal_to=today + timedelta(days=1), vote_from=today + timedelta(days=2),
                  vote_to=today + timedelta(days=3), results_due=today + timedelta(days=9),
                  sample_count=1, daily_votes=1, created_by="t")
        session.add(r)
        session.flush()
        round_id = r.id
    try:
        with portal.db.write() as session:
            c = participation.propose(session, round_id, "voter", {
                "food": value[:60], "place": value[:120], "reason": ("担心" + value)[:500]})
            assert c.food == value[:60].strip()
    except InputError as exc:
        assert exc.errors
