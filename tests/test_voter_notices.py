"""你点我检 voter notices end to end, with a real SMTP server on loopback (aiosmtpd): two
citizens vote on the round's page after verifying a phone (the demo shows the code), each
asks there to be mailed, confirms through the link in the mail; the official fixes the plan
and the worker mails each voter about the food they voted for; a failing batch is linked to
one candidate and a passing one to the other, the results are published, and each voter is
mailed the result of their own food only (failed items and the batch's link); the one-click
unsubscribe erases the address and nothing more is sent to it. SQLite and PostgreSQL."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from conftest import ROOT
from helpers.db import official
from helpers.files import xlsx
from helpers.mailbox import links_in
from helpers.rounds import move_to, round_with_candidates
from portal.timeutil import local_today
from portal.notices import delivery, voters
from portal.notices.models import ACTIVE, PENDING, Follow, NoticeContact, NoticeEvent
from portal.rounds import management
from portal.sampling.models import SamplingBatch
from test_notices import PUBLIC, local, mailbox, notify_env, run_sampling_import, web  # noqa: F401 (fixtures)
from test_round_pages import _verify

FOODS = ("鲜榨果汁", "小龙虾", "凉皮")


def vote_and_ask(round_id: int, candidate_id: int, phone: str, email: str | None):
    """A citizen opens the round, verifies a phone, votes for one food, and (with an
    address) asks on the same page to be told, as the clicks go."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.query_params["round"] = str(round_id)
    at.switch_page("pages/rounds.py").run()
    assert not at.exception, at.exception
    assert not [e for e in at.expander if "发邮件告诉我" in e.label]       # offered only after voting
    at = _verify(at, phone)
    assert not at.exception, at.exception
    at.button(key=f"vote_{candidate_id}").click()
    at.run()
    assert not at.exception, at.exception
    assert any("抽检计划和结果出来时发邮件告诉我" in e.label for e in at.expander)
    if email is None:
        return at
    at.text_input(key=f"voter_notice_email_{round_id}").input(email)
    next(b for b in at.button if b.label == "发送确认邮件").click()
    at.run()
    assert not at.exception, at.exception
    assert any("确认邮件已发出" in s.value for s in at.success), [e.value for e in at.error]
    return at


def passing_file(unit: str, food: str, day: str = "2026-11-21") -> bytes:
    return xlsx([["食品名称", "被抽样单位名称", "被抽样单位地址", "公告日期", "判定"],
                 [food, unit, "张家界市永定区示例路 2 号", day, "合格"]])


def confirm(portal, settings, message) -> None:
    link = next(x for x in links_in(message) if "/notices/confirm" in x)
    client = web(portal, settings)
    page = client.get(local(link))
    assert page.status_code == 200 and "确认关注" in page.text and "抽检结果公布时" in page.text
    done = client.post(local(link), data={"do": "confirm"})
    assert done.status_code == 200 and "已确认关注" in done.text


def mail_to(messages, address: str):
    return [m for m in messages if m["To"] == address]


def test_voter_is_told_the_plan_and_the_result_of_their_food(notify_env, mailbox):
    from test_notices import failing_file

    portal, settings = notify_env
    publisher = official(portal, "publisher")
    round_id, (juice, crayfish, noodles) = round_with_candidates(portal, publisher, FOODS)
    move_to(portal, round_id, "voting")

    vote_and_ask(round_id, juice, "13912345678", "Juice.Voter@example.com")
    vote_and_ask(round_id, crayfish, "13987654321", "crayfish@example.com")
    vote_and_ask(round_id, noodles, "13811112222", None)            # voted, asked nothing
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Follow).where(
            Follow.topic == voters.CANDIDATE, Follow.status == PENDING)) == 2
        stored = " ".join(c.address_enc + c.address_hash for c in session.scalars(select(NoticeContact)))
        assert "voter" not in stored.lower() and "crayfish" not in stored      # encrypted, keyed hash

    assert delivery.run_once(portal.db, settings).sent == 2
    confirmations = mailbox.wait_for(2)
    juice_mail = mail_to(confirmations, "juice.voter@example.com")[0]
    assert "你点我检" in juice_mail["Subject"] and "鲜榨果汁" in juice_mail.get_content()
    assert "小龙虾" not in juice_mail.get_content()
    for message in confirmations:
        confirm(portal, settings, message)
    with portal.db.read() as session:
        assert set(session.scalars(select(Follow.status))) == {ACTIVE}
    manage = next(x for x in links_in(juice_mail) if "/notices/manage" in x)
    listed = web(portal, settings).get(local(manage))
    assert "你点我检：鲜榨果汁" in listed.text and "小龙虾" not in listed.text and "juice" not in listed.text.lower()

    # Voting ends; the official fixes the plan: each voter hears about their own food.
    move_to(portal, round_id, "sampling")
    with portal.db.write() as session:
        management.fix_plan(session, publisher, round_id, [juice, crayfish])
    stats = delivery.run_once(portal.db, settings)
    assert (stats.fanned_out, stats.sent) == (2, 2)
    plans = mailbox.wait_for(4)[2:]
    juice_plan = mail_to(plans, "juice.voter@example.com")[0]
    assert "抽检计划已确定" in juice_plan["Subject"]
    body = juice_plan.get_content()
    assert "鲜榨果汁：已列入抽检计划" in body and "小龙虾" not in body and "凉皮" not in body
    assert f"{PUBLIC}/rounds?round={round_id}" in links_in(juice_plan)
    assert juice_plan["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Results: a failing batch for the juice, a passing one for the crayfish; published.
    # Announced once the plan was fixed (today), as a round's results are.
    today = local_today().isoformat()
    run_sampling_import(portal, failing_file("张家界示例果汁店", "鲜榨橙汁", today), "juice.xlsx")
    run_sampling_import(portal, passing_file("张家界示例龙虾馆", "小龙虾", today), "crayfish.xlsx")
    with portal.db.read() as session:
        failed_batch = session.scalar(select(SamplingBatch.id).where(SamplingBatch.food_name == "鲜榨橙汁"))
        passed_batch = session.scalar(select(SamplingBatch.id).where(SamplingBatch.food_name == "小龙虾"))
    delivery.run_once(portal.db, settings)          # the import's own event: nobody follows it
    assert len(mailbox.messages) == 4
    with portal.db.write() as session:
        management.link_batch(session, publisher, juice, failed_batch)
        management.link_batch(session, publisher, crayfish, passed_batch)
    with portal.db.read() as session:               # linking is not yet publishing
        assert session.scalar(select(func.count()).select_from(NoticeEvent)
                              .where(NoticeEvent.kind == voters.ROUND_RESULTS)) == 0
    with portal.db.write() as session:
        management.publish(session, publisher, round_id, "本期抽检 2 项，鲜榨果汁 1 批次不合格。")
    assert delivery.run_once(portal.db, settings).sent == 2
    results = mailbox.wait_for(6)[4:]
    juice_result = mail_to(results, "juice.voter@example.com")[0]
    body = juice_result.get_content()
    assert "鲜榨果汁 不合格" in juice_result["Subject"]
    assert "亚硝酸盐" in body and "45mg/kg" in body and "小龙虾" not in body
    assert f"{PUBLIC}/sampling?batch={failed_batch}&scope=all" in links_in(juice_result)
    crayfish_result = mail_to(results, "crayfish@example.com")[0]
    assert "小龙虾 合格" in crayfish_result["Subject"] and "全部合格" in crayfish_result.get_content()
    assert "鲜榨" not in crayfish_result.get_content()
    assert f"{PUBLIC}/sampling?batch={passed_batch}&scope=all" in links_in(crayfish_result)

    # One-click unsubscribe: the address and its follows are erased; nothing more is sent.
    client = web(portal, settings)
    stop = juice_result["List-Unsubscribe"].strip().strip("<>")
    gone = client.post(local(stop), content=b"List-Unsubscribe=One-Click",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert gone.status_code == 200 and "已退订" in gone.text
    with portal.db.write() as session:
        assert session.scalar(select(func.count()).select_from(NoticeContact)) == 1
        assert voters.results_published(session, round_id) is not None     # a repeat would reach
    delivery.run_once(portal.db, settings)                                  # only the other voter
    mailbox.wait_for(7)
    time.sleep(0.3)
    assert len(mailbox.messages) == 7
    assert mail_to(mailbox.messages[6:], "crayfish@example.com")


def test_opting_in_needs_a_vote_and_a_round_still_open(notify_env, mailbox):
    """No vote in the round, no follow; a published round takes no more; a bad address is
    refused with the field named; asking again for the same food sends no second mail."""
    from helpers.complaints import client
    from portal.personal import keyed_hash
    from portal.rounds import participation
    from portal.validation import InputError

    portal, settings = notify_env
    publisher = official(portal, "publisher")
    round_id, (juice, *_rest) = round_with_candidates(portal, publisher, FOODS)
    move_to(portal, round_id, "voting")
    voter = keyed_hash(settings.secret_key, "phone", "13912345678")
    with pytest.raises(InputError) as refused, portal.db.write() as session:
        voters.request(session, settings.secret_key, client(1), round_id, voter, "a@example.com")
    assert "candidate" in refused.value.errors
    with portal.db.write() as session:
        participation.vote(session, settings.secret_key, round_id, juice, voter, "10.0.0.1")
    with pytest.raises(InputError) as wrong, portal.db.write() as session:
        voters.request(session, settings.secret_key, client(1), round_id, voter, "a@b\r\nBcc: x@example.com")
    assert "email" in wrong.value.errors
    for _ in range(2):
        with portal.db.write() as session:
            assert voters.request(session, settings.secret_key, client(1), round_id, voter, "a@example.com") == 1
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Follow)) == 1
    assert delivery.run_once(portal.db, settings).sent == 2      # pending: the link again
    # Nobody follows a round without follows: no event is written for it.
    other_id, other_candidates = round_with_candidates(portal, publisher, ("腊肉", "香肠"))
    move_to(portal, other_id, "sampling")
    with portal.db.write() as session:
        management.fix_plan(session, publisher, other_id, other_candidates)
        assert session.scalar(select(func.count()).select_from(NoticeEvent)
                              .where(NoticeEvent.kind == voters.ROUND_PLAN)) == 0
    with portal.db.write() as session:
        session.get(management.Round, round_id).published_at = management.utcnow()
    with pytest.raises(InputError) as closed, portal.db.write() as session:
        voters.request(session, settings.secret_key, client(2), round_id, voter, "b@example.com")
    assert "round" in closed.value.errors


def test_a_voter_asks_after_voting_has_ended(notify_env, mailbox):
    """抽检中: the round's page asks a voter to verify the phone they voted with, then offers
    the same form; someone who did not vote is told to vote first, and nothing is queued."""
    from streamlit.testing.v1 import AppTest

    portal, settings = notify_env
    publisher = official(portal, "publisher")
    round_id, (juice, *_rest) = round_with_candidates(portal, publisher, FOODS)
    move_to(portal, round_id, "voting")
    vote_and_ask(round_id, juice, "13912345678", None)
    move_to(portal, round_id, "sampling")

    def open_round():
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        at.run()
        at.query_params["round"] = str(round_id)
        at.switch_page("pages/rounds.py").run()
        assert not at.exception, at.exception
        return at

    stranger = _verify(open_round(), "13800001111")
    assert not [e for e in stranger.expander if "发邮件告诉我" in e.label]
    at = _verify(open_round(), "13912345678")
    assert not at.exception, at.exception
    at.text_input(key=f"voter_notice_email_{round_id}").input("late@example.com")
    next(b for b in at.button if b.label == "发送确认邮件").click()
    at.run()
    assert any("确认邮件已发出" in s.value for s in at.success)
    delivery.run_once(portal.db, settings)
    [confirmation] = mailbox.wait_for(1)
    assert confirmation["To"] == "late@example.com" and "鲜榨果汁" in confirmation.get_content()
