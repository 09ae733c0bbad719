"""The follow-up questionnaire ("问题解决了吗？") end to end, with a real SMTP server on loopback
(aiosmtpd): a complaint filed with an e-mail is closed; four weeks later (the closing day
moved back in the database) the worker mails one questionnaire; its link opens a page where
the complainant answers 没有解决 with words; the case is back in the handler's queue with a
new clock, the answer is counted in the public statistics and the API, and the link is dead
afterwards. Nothing is sent twice. SQLite and PostgreSQL."""
from __future__ import annotations

import re
import time
from datetime import timedelta
from html import unescape

from sqlalchemy import func, select, update

from helpers.complaints import add_business, client as citizen, complaint_form
from helpers.db import official
from helpers.mailbox import links_in
from portal.accounts.audit import AuditEntry
from portal.complaints import follow_up, handling, rules, stats
from portal.complaints.models import (CLOSED, COMPLAINT, REOPENED, Complaint, ComplaintEvent,
                                      ComplaintFollowUp)
from portal.notices import delivery, links
from portal.timeutil import local_today
from portal.workdays import load_calendar
from test_notices import PUBLIC, local, mailbox, notify_env, web  # noqa: F401 (fixtures)


def _file_and_close(portal, settings, email="complainant@example.com"):
    from portal.complaints import filing

    business_id = add_business(portal, "张家界示例快餐店")
    with portal.db.write() as session:
        receipt = filing.submit(session, settings.secret_key, portal.profile.adcode,
                                complaint_form(business_id, email=email), [], citizen(1))
    handler = official(portal, "handler")
    with portal.db.write() as session:
        handling.accept(session, handler, receipt.complaint_id)
        handling.close(session, handler, receipt.complaint_id, rules.outcomes(COMPLAINT)[0],
                       "经核查，商户已下架过期牛奶并向您退款，已责令整改。")
    return receipt, handler


def _four_weeks_later(portal, complaint_id: int) -> None:
    """The clock moved: the case closed 28 days ago."""
    with portal.db.write() as session:
        session.execute(update(Complaint).where(Complaint.id == complaint_id).values(
            finished_on=local_today() - timedelta(days=follow_up.FOLLOW_UP_DAYS)))


def _form(page_html: str) -> tuple[str, list[str]]:
    """The form's action and its radio choices, as a browser reads them."""
    action = unescape(re.search(r'<form method="post" action="([^"]*)"', page_html).group(1))
    return action, re.findall(r'name="answer" value="([a-z]+)"', page_html)


def test_questionnaire_reopens_an_unresolved_case(notify_env, mailbox):
    portal, settings = notify_env
    receipt, handler = _file_and_close(portal, settings)
    delivery.run_once(portal.db, settings)
    assert len(mailbox.wait_for(3)) == 3          # filed, accepted, closed
    stats_now = delivery.run_once(portal.db, settings)
    assert stats_now.follow_ups == 0              # closed today: not due yet

    _four_weeks_later(portal, receipt.complaint_id)
    assert delivery.run_once(portal.db, settings).follow_ups == 1
    question = mailbox.wait_for(4)[3]
    assert question["Subject"].startswith("问题解决了吗") and receipt.tracking_no in question["Subject"]
    assert question["To"] == "complainant@example.com"
    link = next(x for x in links_in(question) if "/notices/follow-up" in x)
    assert delivery.run_once(portal.db, settings).follow_ups == 0      # one per case
    time.sleep(0.3)
    assert len(mailbox.messages) == 4

    client = web(portal, settings)
    page = client.get(local(link))
    assert page.status_code == 200 and "问题解决了吗" in page.text and receipt.tracking_no in page.text
    assert "complainant" not in page.text and page.headers["cache-control"] == "no-store"
    english = client.get(local(link) + "&lang=en")
    assert english.status_code == 200 and 'lang="en"' in english.text
    action, choices = _form(page.text)
    assert choices == ["resolved", "partly", "unresolved"]

    # Forged links and links of another purpose open nothing.
    follow_up_id = links.token_id(local(link).split("t=")[1])
    with portal.db.read() as session:
        contact_id = session.scalar(select(ComplaintFollowUp.contact_id))
        contact_key = session.scalar(select(ComplaintFollowUp.link_key))
    forged = [f"/notices/follow-up?t={follow_up_id}.{'0' * 32}",
              f"/notices/follow-up?t={links.token(settings.secret_key, links.MANAGE, contact_id, contact_key)}",
              f"/notices/follow-up?t={links.token('another-secret', links.FOLLOW_UP, follow_up_id, contact_key)}",
              "/notices/follow-up?t=../../etc", "/notices/follow-up"]
    for path in forged:
        assert client.get(path).status_code == 404
        assert client.post(path, data={"answer": "unresolved"}).status_code == 404

    # A wrong choice is refused and keeps what was typed; then the real answer.
    wrong = client.post(f"/notices/follow-up{action}", data={"answer": "maybe", "text": "还是老样子"})
    assert wrong.status_code == 400 and "请选择" in wrong.text and "还是老样子" in wrong.text
    done = client.post(f"/notices/follow-up{action}",
                       data={"answer": "unresolved", "text": "商户还在卖过期牛奶，我的电话 13812345678"})
    assert done.status_code == 200 and "已收到您的回答" in done.text

    today = local_today()
    with portal.db.read() as session:
        case = session.get(Complaint, receipt.complaint_id)
        assert case.status == REOPENED and case.reopened_on == today and case.due_kind == "reopen"
        rule_set = rules.rule_set_by_id(case.rule_set, rules.rule_sets(session))
        assert case.due_on == load_calendar(session).add_working_days(today, rule_set.close_days).day
        assert case.finished_on is None
        words = session.scalar(select(ComplaintEvent.text).where(
            ComplaintEvent.complaint_id == case.id, ComplaintEvent.kind == "follow_up"))
        assert "没有解决" in words and "过期牛奶" in words and "13812345678" not in words
        total, rows = handling.queue(session, handling.QueueFilter())
        assert [r.tracking_no for r in rows] == [receipt.tracking_no] and rows[0].working_days_left > 0
        assert handling.queue(session, handling.QueueFilter(status="reopened"))[0] == 1
        audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint_reopen"))
        assert audit.object_id == str(case.id) and audit.actor_name == follow_up.CITIZEN
        summary = stats.summary(session)
        assert (summary.answered, summary.unresolved_rate, summary.resolved_rate) == (1, 100.0, 0.0)

    # Used once: the link is dead, for reading and for answering again.
    assert client.get(local(link)).status_code == 404
    assert client.post(f"/notices/follow-up{action}", data={"answer": "resolved"}).status_code == 404

    # The public figures: the API gives the shares beside the satisfaction rating.
    from portal.api.app import create_api
    from starlette.testclient import TestClient

    api = TestClient(create_api(lambda: portal, per_minute=10_000, trusted_proxy=False))
    figures = api.get("/complaints/stats").json()
    assert figures["follow_up_answered"] == 1 and figures["follow_up_unresolved_rate"] == 100.0

    # The handler closes it again: a closed notice, but never a second questionnaire.
    with portal.db.write() as session:
        handling.close(session, handler, receipt.complaint_id, rules.outcomes(COMPLAINT)[0],
                       "再次核查：商户已全部下架过期牛奶，市场监管部门已立案处罚。")
        assert session.get(Complaint, receipt.complaint_id).status == CLOSED
    _four_weeks_later(portal, receipt.complaint_id)
    assert delivery.run_once(portal.db, settings).follow_ups == 0
    mailbox.wait_for(5)
    time.sleep(0.3)
    assert len(mailbox.messages) == 5 and "已办结" in mailbox.messages[4]["Subject"]
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(ComplaintFollowUp)) == 1


def test_resolved_answers_count_and_cases_without_mail_get_none(notify_env, mailbox):
    """已解决 counts in the statistics and leaves the case closed; a case filed without an
    e-mail gets no questionnaire."""
    from portal.complaints import filing

    portal, settings = notify_env
    receipt, handler = _file_and_close(portal, settings)
    with portal.db.write() as session:
        silent = filing.submit(session, settings.secret_key, portal.profile.adcode,
                               complaint_form(add_business(portal, "另一家示例店")), [], citizen(2))
        handling.accept(session, handler, silent.complaint_id)
        handling.close(session, handler, silent.complaint_id, rules.outcomes(COMPLAINT)[0],
                       "经核查，商户已整改到位，已向您反馈处理结果。")
    _four_weeks_later(portal, receipt.complaint_id)
    _four_weeks_later(portal, silent.complaint_id)
    assert delivery.run_once(portal.db, settings).follow_ups == 1
    question = next(m for m in mailbox.wait_for(4) if m["Subject"].startswith("问题解决了吗"))
    link = next(x for x in links_in(question) if "/notices/follow-up" in x)
    client = web(portal, settings)
    action, _ = _form(client.get(local(link)).text)
    assert "谢谢" in client.post(f"/notices/follow-up{action}", data={"answer": "resolved"}).text
    with portal.db.read() as session:
        assert session.get(Complaint, receipt.complaint_id).status == CLOSED
        summary = stats.summary(session)
        assert (summary.answered, summary.resolved_rate, summary.unresolved_rate) == (1, 100.0, 0.0)
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "complaint_reopen")) == 0


def test_demo_has_follow_up_answers_and_reopened_cases(portal):
    """The demo generator writes questionnaire answers four weeks or more after closing; a
    "没有解决" case is reopened with a clock, or closed again after its answer."""
    from portal.demo import generator

    generator.generate(portal.db, portal.profile, "small", counts={
        "businesses": 100, "sampling_batches": 50, "complaints": 1500, "votes": 0, "survey_responses": 0})
    with portal.db.read() as session:
        summary = stats.summary(session)
        assert summary.answered > 100 and summary.resolved > summary.unresolved > 0
        answers = session.execute(select(ComplaintFollowUp, Complaint).join(
            Complaint, Complaint.id == ComplaintFollowUp.complaint_id)).all()
        assert all(f.is_demo and f.answered_at.date() >= c.received_on for f, c in answers)
        unresolved = [c for f, c in answers if f.answer == "unresolved"]
        assert all(c.reopened_on and (c.status == CLOSED and c.finished_on >= c.reopened_on
                                      or c.status == REOPENED and c.due_on and c.due_kind == "reopen")
                   for c in unresolved)
    generator.clear(portal.db)
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(ComplaintFollowUp)) == 0
