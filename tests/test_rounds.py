"""你点我检: proposals moderated, votes limited by the database, the plan, linked results,
publication; phone verification; bad input refused. SQLite and PostgreSQL."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from helpers.db import official
from helpers.rounds import move_to, round_form, round_with_candidates
from portal.personal import keyed_hash
from portal.rounds import management, participation, queries
from portal.rounds.models import ACCEPTED, Vote
from portal.sampling.models import SamplingBatch
from portal.timeutil import local_today
from portal.validation import InputError
from portal import verification


@pytest.fixture
def pub(portal):
    return official(portal, "publisher")


def voter(n: int) -> str:
    return keyed_hash("k" * 40, "phone", f"1390000{n:04d}")


def cast(portal, round_id, candidate_id, who, now=None):
    with portal.db.write() as session:
        return participation.vote(session, portal.settings.secret_key, round_id, candidate_id,
                                  who, "10.1.1.1", now=now)


def test_round_form_validation(portal, pub):
    bad = round_form(title="短", sample_count=0, vote_from=local_today())
    with portal.db.write() as session, pytest.raises(InputError) as exc:
        management.create_round(session, pub, bad)
    assert {"title", "sample_count"} <= set(exc.value.errors)


def test_proposals_are_moderated_before_they_appear(portal, pub):
    round_id, _ = round_with_candidates(portal, pub)
    with portal.db.write() as session:
        c = participation.propose(session, round_id, voter(1), {
            "food": "网红奶茶", "place": "步行街奶茶店", "reason": "<b>颜色太鲜艳</b>，担心添加剂超标"})
        assert c.status == "pending"
    with portal.db.read() as session:
        assert "网红奶茶" not in [t.food for t in queries.tallies(session, round_id)]
    with portal.db.write() as session:
        with pytest.raises(InputError):
            management.moderate(session, pub, c.id, accept=False, note="")   # a reason is needed
        management.moderate(session, pub, c.id, accept=True)
    with portal.db.read() as session:
        assert "网红奶茶" in [t.food for t in queries.tallies(session, round_id)]
        records = queries.my_records(session, voter(1))
        assert records.proposals[0][1:3] == ("网红奶茶", ACCEPTED)


@pytest.mark.parametrize("data,field", [
    ({"food": "", "place": "超市", "reason": "担心农药残留超标的问题"}, "food"),
    ({"food": "青菜", "place": "超市", "reason": "长" * 2000}, "reason"),
    ({"food": "青菜\x00", "place": "超市", "reason": "担心农药残留超标的问题"}, "food"),
])
def test_bad_proposals_are_refused(portal, pub, data, field):
    round_id, _ = round_with_candidates(portal, pub)
    with portal.db.write() as session, pytest.raises(InputError) as exc:
        participation.propose(session, round_id, voter(1), data)
    assert field in exc.value.errors


def test_proposals_only_while_collecting(portal, pub):
    round_id, _ = round_with_candidates(portal, pub)
    move_to(portal, round_id, "voting")
    with portal.db.write() as session, pytest.raises(InputError) as exc:
        participation.propose(session, round_id, voter(1), {
            "food": "青菜", "place": "超市", "reason": "担心农药残留超标的问题"})
    assert "不在征集阶段" in str(exc.value)


def test_votes_limits_enforced(portal, pub):
    round_id, (a, b, c) = round_with_candidates(portal, pub)
    with pytest.raises(InputError) as exc:
        cast(portal, round_id, a, voter(1))
    assert "不在投票阶段" in str(exc.value)
    move_to(portal, round_id, "voting")
    cast(portal, round_id, a, voter(1))
    with pytest.raises(InputError) as exc:
        cast(portal, round_id, a, voter(1))                # same candidate, same day
    assert "已经为这一项投过票" in str(exc.value)
    cast(portal, round_id, b, voter(1))
    cast(portal, round_id, c, voter(1))
    # A fourth candidate would pass the unique rule but not the allowance of 3.
    with portal.db.write() as session:
        d = management.Candidate(round_id=round_id, food="豆腐", status=ACCEPTED)
        session.add(d)
    move_to(portal, round_id, "voting")
    with portal.db.read() as session:
        d_id = session.scalar(select(management.Candidate.id).where(management.Candidate.food == "豆腐"))
    with pytest.raises(InputError) as exc:
        cast(portal, round_id, d_id, voter(1))
    assert "票已用完" in str(exc.value)
    # Tomorrow (Asia/Shanghai) brings a new allowance.
    tomorrow = datetime.combine(local_today() + timedelta(days=1), datetime.min.time()) + timedelta(hours=1)
    cast(portal, round_id, a, voter(1), now=tomorrow - timedelta(hours=8))
    with portal.db.read() as session:
        assert {t.food: t.votes for t in queries.tallies(session, round_id)} == \
            {"鲜榨果汁": 2, "小龙虾": 1, "凉皮": 1, "豆腐": 0}


@pytest.mark.security
def test_crafted_vote_for_another_rounds_candidate(portal, pub):
    first, (a, _, _) = round_with_candidates(portal, pub)
    second, _ = round_with_candidates(portal, pub, foods=("月饼",))
    move_to(portal, second, "voting")
    with pytest.raises(InputError) as exc:
        cast(portal, second, a, voter(2))
    assert "不是本期的候选项目" in str(exc.value)
    # And the database itself refuses it, whatever the code above does.
    with portal.db.write() as session, pytest.raises(IntegrityError):
        session.add(Vote(round_id=second, candidate_id=a, voter_hash=voter(2), day=local_today()))
        session.flush()


def test_plan_links_and_publication(portal, pub):
    round_id, (a, b, c) = round_with_candidates(portal, pub)
    move_to(portal, round_id, "voting")
    for n in range(3):
        cast(portal, round_id, b, voter(n))
    cast(portal, round_id, c, voter(9))
    with portal.db.write() as session, pytest.raises(InputError):
        management.fix_plan(session, pub, round_id, [b, c])    # voting still open
    move_to(portal, round_id, "sampling")
    with portal.db.write() as session:
        with pytest.raises(InputError) as exc:
            management.fix_plan(session, pub, round_id, [a, b])  # departs from the ranking
        assert "note" in exc.value.errors
        management.fix_plan(session, pub, round_id, [b, c])
        batch = SamplingBatch(food_name="小龙虾", result="合格", in_jurisdiction=True, category="水产制品",
                              identity_key="round-test-1", content_hash="x")
        session.add(batch)
        session.flush()
        batch_id = batch.id
    with portal.db.write() as session, pytest.raises(InputError) as exc:
        management.publish(session, pub, round_id, "本期两项抽检结果全部合格。")
    assert "凉皮" in str(exc.value)
    with portal.db.write() as session:
        # Announced before the plan was fixed: some other sampling, not this round's result.
        old = SamplingBatch(food_name="小龙虾", result="不合格", in_jurisdiction=True, category="水产制品",
                            identity_key="round-test-old", content_hash="y",
                            announcement_date=local_today() - timedelta(days=30))
        session.add(old)
        session.flush()
        with pytest.raises(InputError) as refused:
            management.link_batch(session, pub, b, old.id)
        assert "之前就已公布" in str(refused.value.errors["batch"])
    with portal.db.write() as session:
        management.link_batch(session, pub, b, batch_id)
        management.link_batch(session, pub, c, batch_id)
        with pytest.raises(InputError):
            management.link_batch(session, pub, a, batch_id)     # not in the plan
        management.publish(session, pub, round_id, "本期两项抽检结果全部合格。")
    with portal.db.read() as session:
        results = queries.plan_results(session, round_id)
        assert [(r.candidate.food, r.votes, [x.id for x in r.batches]) for r in results] == \
            [("小龙虾", 3, [batch_id]), ("凉皮", 1, [batch_id])]


def test_phone_verification_demo_and_limits(portal):
    sender = verification.Sender("demo")
    secret = portal.settings.secret_key
    with portal.db.write() as session:
        started = verification.start(session, secret, sender, "139 0000 1111", "vote", "s1", "a1")
    assert started.demo_code and started.masked == "139****1111"
    with portal.db.write() as session:
        assert verification.confirm(session, secret, started.challenge_id, "000000"
                                    if started.demo_code != "000000" else "111111") is None
    with portal.db.write() as session:
        phone_hash = verification.confirm(session, secret, started.challenge_id, started.demo_code)
    assert phone_hash == keyed_hash(secret, "phone", "13900001111")
    with portal.db.write() as session, pytest.raises(InputError):
        verification.confirm(session, secret, started.challenge_id, started.demo_code)   # used
    with portal.db.write() as session, pytest.raises(InputError):
        verification.start(session, secret, sender, "12345", "vote", "s1", "a1")
    for _ in range(4):
        with portal.db.write() as session:
            verification.start(session, secret, sender, "13900001111", "vote", "s2", "a2")
    with portal.db.write() as session, pytest.raises(InputError) as exc:
        verification.start(session, secret, sender, "13900001111", "vote", "s3", "a3")
    assert "次数太多" in str(exc.value)
    with portal.db.write() as session, pytest.raises(InputError) as exc:
        verification.start(session, secret, verification.Sender("webhook", ""), "13900002222",
                           "vote", "s4", "a4")
    assert "尚未开通" in str(exc.value)


def test_wrong_codes_are_counted_and_stop_at_five(portal):
    sender, secret = verification.Sender("demo"), portal.settings.secret_key
    with portal.db.write() as session:
        started = verification.start(session, secret, sender, "13900003333", "vote", "s", "a")
    wrong = "000000" if started.demo_code != "000000" else "111111"
    for _ in range(5):
        with portal.db.write() as session:
            assert verification.confirm(session, secret, started.challenge_id, wrong) is None
    with portal.db.write() as session, pytest.raises(InputError) as exc:
        verification.confirm(session, secret, started.challenge_id, started.demo_code)
    assert "输错次数太多" in str(exc.value)


def test_bursts_are_flagged_not_dropped(portal, pub, monkeypatch):
    monkeypatch.setattr(participation, "BURST_PER_HOUR", 5)
    round_id, (a, _, _) = round_with_candidates(portal, pub)
    move_to(portal, round_id, "voting")
    for n in range(8):
        cast(portal, round_id, a, voter(n))
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Vote)) == 8
        flags = queries.flags(session, round_id)
        assert len(flags) == 1 and flags[0].count == 5
