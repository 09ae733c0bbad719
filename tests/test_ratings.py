"""Rating rules (cut-offs, 暂不评级, freshness) and the rating card on the business page."""
import os
from datetime import date

import pytest
from sqlalchemy import select

from portal.ratings.rules import annual_grade, dynamic_grade, months_before, rate
from test_business_pages import open_business
from helpers.pages import open_page, texts

TODAY = date(2026, 11, 22)
OLD_LICENCE = date(2020, 1, 1)


@pytest.mark.parametrize("score,grade", [(10, "优秀"), (9.0, "优秀"), (8.99, "良好"), (7.5, "良好"),
                                         (7.49, "一般"), (6.0, "一般"), (5.99, None)])
def test_dynamic_cutoffs(score, grade):
    assert dynamic_grade(score) == grade


def test_annual_grade_from_the_average():
    assert annual_grade([9.5, 8.6]) == "A" and annual_grade([8.0]) == "B"
    assert annual_grade([6.0, 7.0]) == "C" and annual_grade([]) is None


def test_months_before_clamps_the_day():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 3) == date(2025, 10, 15)


def test_months_since_is_the_inverse_of_months_before():
    from datetime import timedelta

    from portal.timeutil import months_since

    assert months_since(date(2026, 1, 31), date(2026, 2, 28)) == 0
    assert months_since(date(2026, 1, 28), date(2026, 2, 28)) == 1
    for today in (date(2024, 2, 29), date(2026, 3, 31), date(2026, 11, 30)):
        for back in range(0, 430, 3):
            day = today - timedelta(days=back)
            for n in (1, 6, 12):
                assert (months_since(day, today) >= n) == (day <= months_before(today, n))


def test_latest_inspection_gives_the_face():
    rating = rate([(date(2026, 10, 1), 9.3), (date(2025, 1, 1), 6.5)], OLD_LICENCE, [], TODAY)
    assert (rating.dynamic, rating.face, rating.annual) == ("优秀", "大笑", "A")
    assert rating.no_grade_reason is None and not rating.stale


def test_new_licence_and_incident_suspend_the_grade_around_the_boundary():
    inspections = [(date(2026, 11, 1), 9.5)]
    assert "许可证" in rate(inspections, date(2026, 8, 23), [], TODAY).no_grade_reason
    assert rate(inspections, date(2026, 8, 22), [], TODAY).dynamic == "优秀"
    assert "事故" in rate(inspections, OLD_LICENCE, [date(2026, 5, 23)], TODAY).no_grade_reason
    assert rate(inspections, OLD_LICENCE, [date(2026, 5, 22)], TODAY).dynamic == "优秀"


def test_no_inspection_low_score_and_staleness():
    assert rate([], OLD_LICENCE, [], TODAY).no_grade_reason == "尚未进行量化分级检查"
    low = rate([(date(2026, 10, 1), 5.0)], OLD_LICENCE, [], TODAY)
    assert low.dynamic is None and "不予评级" in low.no_grade_reason
    assert rate([(date(2026, 5, 21), 9.0)], OLD_LICENCE, [], TODAY).stale
    assert not rate([(date(2026, 5, 23), 9.0)], OLD_LICENCE, [], TODAY).stale


def test_business_page_shows_the_rating_card(app_env):
    from portal.db import Database
    from portal.ratings.models import Inspection
    from portal.registry.models import Business

    open_page("streamlit_app.py")
    db = Database(os.environ["PORTAL_DATABASE_URL"])
    with db.read() as session:
        business_id = session.scalar(select(Inspection.business_id).join(Business).where(
            Business.business_type == "学校食堂").limit(1))
    at = open_business({"id": str(business_id)})
    assert not at.exception
    body = texts(at)
    assert "餐饮服务食品安全量化分级" in body and "年度等级" in body and "明厨亮灶" in body
    assert any(face in body for face in ("大笑", "微笑", "平脸", "暂不评级"))


def test_home_shows_the_canteen_stream_coverage(app_env):
    at = open_page("streamlit_app.py")
    labels = [m.label for m in at.metric]
    assert "“一老一小”食堂互联网+明厨亮灶" in labels
