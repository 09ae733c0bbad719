"""复检 / 异议 on failed batches (portal/sampling/reviews.py): applications within the rules'
working days (the complaints' calendar), the outcome, and what the batch page, the business
page and the door page show (复检中 / 复检维持 / 复检推翻 with dates); recorded on 核查处置
as a publisher does it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from helpers.db import official
from helpers.pages import demo_password, open_page, sign_in, texts
from portal.sampling import reviews
from portal.sampling.models import FAILED, BatchReview, SamplingBatch
from portal.timeutil import local_today
from portal.validation import InputError
from portal.workdays import WorkCalendar
from test_door_page import client, rated_business, text, with_failed_batch_and_black_list


@pytest.fixture
def portal(app_env):
    from portal.bootstrap import bootstrap

    return bootstrap()


def fresh_failed_batch(portal) -> int:
    with portal.db.write() as session:
        batch = session.scalars(select(SamplingBatch).where(
            SamplingBatch.result == FAILED, SamplingBatch.in_jurisdiction.is_(True))
            .order_by(SamplingBatch.id.desc())).first()
        for review in session.scalars(select(BatchReview).where(BatchReview.batch_id == batch.id)):
            session.delete(review)
        return batch.id


def test_the_deadline_counts_working_days_and_refuses_late_applications(portal):
    batch_id = fresh_failed_batch(portal)
    publisher = official(portal, "publisher", "pub1")
    # Notified Friday 2026-09-25: 7 working days skip the weekend and the National Day
    # holiday (10/1–10/8 in 2026, 10/10 a make-up working day) on the package's calendar.
    due = WorkCalendar().add_working_days(date(2026, 9, 25), 7).day
    assert due > date(2026, 10, 8)
    with portal.db.write() as session, pytest.raises(InputError) as late:
        reviews.record_application(session, publisher, batch_id, {
            "kind": reviews.RETEST, "notified_on": date(2026, 9, 25), "applied_on": date(2026, 10, 20)})
    assert "已超过申请期限" in late.value.errors["applied_on"].template
    with portal.db.write() as session:
        review = reviews.record_application(session, publisher, batch_id, {
            "kind": reviews.RETEST, "notified_on": date(2026, 9, 25), "applied_on": date(2026, 10, 9)})
        assert review.due_on == due
    with portal.db.write() as session, pytest.raises(InputError):
        reviews.record_application(session, publisher, batch_id, {          # one of each kind
            "kind": reviews.RETEST, "notified_on": date(2026, 9, 25), "applied_on": date(2026, 10, 9)})


def test_the_door_page_and_business_page_show_the_review_and_its_outcome(app_env, portal):
    business = rated_business(portal)
    batch_id = with_failed_batch_and_black_list(portal, business)
    publisher = official(portal, "publisher", "pub1")
    today = local_today()
    with portal.db.write() as session:
        for review in session.scalars(select(BatchReview).where(BatchReview.batch_id == batch_id)):
            session.delete(review)
    with portal.db.write() as session:
        review_id = reviews.record_application(session, publisher, batch_id, {
            "kind": reviews.RETEST, "notified_on": today, "applied_on": today}).id
    door = client(portal)
    assert "复检中" in text(door.get(f"/b/{business.id}").text)
    with portal.db.write() as session:
        reviews.record_outcome(session, publisher, review_id, reviews.OVERTURNED, today)
    shown = text(door.get(f"/b/{business.id}").text)
    assert "复检推翻" in shown and f"{today.month}月{today.day}日作出结论" in shown
    assert "Overturned on re-testing" in text(door.get(f"/b/{business.id}?lang=en").text)
    page = open_page("pages/sampling.py", {"batch": str(batch_id), "scope": "all"})
    assert "复检推翻" in texts(page)


def test_a_publisher_records_an_application_on_the_disposal_page(app_env, portal):
    at = open_page("pages/login.py")
    sign_in(at, "demo_publisher", demo_password(app_env, "demo_publisher"))
    at.switch_page("pages/sampling_disposal.py").run()
    assert not at.exception
    assert "未经核实" in texts(at)
    today = local_today()
    next(d for d in at.date_input if d.label == "收到检验结论日期").set_value(today)
    next(d for d in at.date_input if d.label == "申请日期").set_value(today)
    next(b for b in at.button if b.label == "登记申请").click()
    at.run()
    assert not at.exception
    assert "复检中" in texts(at)
