"""Demo 你点我检: a published round whose chosen candidates link to demo sampling batches, a
round in its voting phase with votes (within the database's rules), and one collecting
proposals with some awaiting moderation."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from portal.personal import keyed_hash
from portal.db import bulk_insert
from portal.rounds.models import ACCEPTED, PENDING, REJECTED, Candidate, CandidateBatch, Round, Vote
from portal.sampling.models import FAILED, SamplingBatch
from portal.timeutil import utcnow

PROPOSALS = [("散装酸菜", "农贸市场", "颜色发黄发亮，担心加了工业色素或防腐剂超标。"),
             ("鲜湿米粉", "早餐店", "放了好几天都不坏，担心添加了不该加的东西。"),
             ("网红奶茶", "步行街饮品店", "味道太甜太香，担心甜味剂和香精超量。"),
             ("小龙虾", "夜宵大排档", "夏天吃的人多，担心重金属和不新鲜。")]


def _round(ctx, title: str, start, daily: int, count: int, **extra) -> dict:
    return {"title": title, "description": "演示数据：本期征集群众最关心的食品，按得票组织监督抽检，并公布结果。",
            "proposal_from": start, "proposal_to": start + timedelta(days=9),
            "vote_from": start + timedelta(days=10), "vote_to": start + timedelta(days=19),
            "results_due": start + timedelta(days=50), "sample_count": count, "daily_votes": daily,
            "plan_fixed_at": None, "plan_note": None, "published_at": None, "result_summary": None,
            "created_by": "system:demo", "created_at": ctx.now, "is_demo": True, **extra}


def _votes(ctx, round_id: int, candidates: list[int], weights, first, last, total: int,
           daily: int, voters: int) -> list[dict]:
    """About `total` votes between two days, none breaking the rules the database enforces."""
    rng, rows, now = ctx.rng, [], utcnow()
    if total <= 0 or voters <= 0:
        return rows
    days = max(1, (last - first).days + 1)
    per_day = max(1, total // days)
    for d in range(days):
        day = first + timedelta(days=d)
        seen: dict[int, set] = {}
        for _ in range(per_day):
            who = int(rng.integers(0, voters))
            mine = seen.setdefault(who, set())
            if len(mine) >= daily:
                continue
            candidate = candidates[int(rng.choice(len(candidates), p=weights))]
            if candidate in mine:
                continue
            mine.add(candidate)
            rows.append({"round_id": round_id, "candidate_id": candidate,
                         "voter_hash": keyed_hash(ctx.secret_key, "phone", f"1370000{who:04d}"),
                         "day": day,
                         # 08:00–21:00 Beijing time, never later than now (today's votes).
                         "at": min(now, datetime.combine(day, time(int(rng.integers(0, 14))))),
                         "client_hash": None, "is_demo": True})
    return rows


def _weights(n: int, rng):
    raw = rng.dirichlet([1.2] * n)
    return raw / raw.sum()


def generate_rounds(session, ctx) -> int:
    rng, today = ctx.rng, ctx.today
    total_votes = ctx.counts.get("votes", 0)
    foods = [f for f, in session.execute(
        select(SamplingBatch.food_name).where(SamplingBatch.is_demo.is_(True),
                                              SamplingBatch.in_jurisdiction.is_(True))
        .group_by(SamplingBatch.food_name).having(func.count() >= 3)
        .order_by(func.count().desc()).limit(6))]
    if len(foods) < 3:
        return 0
    year = today.year
    published_start = today - timedelta(days=110)
    voting_start = today - timedelta(days=14)
    proposal_start = today - timedelta(days=3)
    rounds = [
        _round(ctx, f"{year}年第1期“你点我检”", published_start, 1, 3,
               plan_fixed_at=datetime.combine(published_start + timedelta(days=21), time(2)),
               published_at=datetime.combine(published_start + timedelta(days=52), time(2)),
               result_summary="演示数据：本期按得票抽检 3 类食品，结果见下方；不合格批次已依法核查处置。"),
        _round(ctx, f"{year}年第2期“你点我检”", voting_start, 3, 4),
        _round(ctx, f"{year}年第3期“你点我检”", proposal_start, 1, 5),
    ]
    bulk_insert(session, Round.__table__, rounds)
    ids = [r for r, in session.execute(select(Round.id).where(Round.is_demo.is_(True)).order_by(Round.id))][-3:]
    published_id, voting_id, proposal_id = ids
    # The published round's results are batches announced between its plan and its
    # publication, as a real round's are (management.link_batch refuses older ones): its
    # candidates are the foods with the most such batches.
    plan_day, published_day = published_start + timedelta(days=21), published_start + timedelta(days=52)
    window_foods = [f for f, in session.execute(
        select(SamplingBatch.food_name).where(SamplingBatch.is_demo.is_(True),
                                              SamplingBatch.in_jurisdiction.is_(True),
                                              SamplingBatch.announcement_date.between(plan_day, published_day))
        .group_by(SamplingBatch.food_name).order_by(func.count().desc(), SamplingBatch.food_name).limit(6))]
    candidates = []
    for food in window_foods if len(window_foods) >= 3 else foods:
        candidates.append({"round_id": published_id, "food": food, "place": "全市", "status": ACCEPTED})
    for food, place, reason in PROPOSALS + [(f, "全市", None) for f in foods[:4]]:
        candidates.append({"round_id": voting_id, "food": food, "place": place, "reason": reason,
                           "status": ACCEPTED, "by_citizen": reason is not None})
    for i, (food, place, reason) in enumerate(PROPOSALS):
        candidates.append({"round_id": proposal_id, "food": food, "place": place, "reason": reason,
                           "by_citizen": True, "status": (ACCEPTED, PENDING, PENDING, REJECTED)[i],
                           "moderation_note": "与上一期重复，已合并" if i == 3 else None})
    for c in candidates:
        c.setdefault("reason", None)
        c.setdefault("by_citizen", False)
        c.update({"proposer_hash": None, "selected": False, "created_at": ctx.now, "is_demo": True})
        c.setdefault("moderation_note", None)
    bulk_insert(session, Candidate.__table__, candidates)
    by_round: dict[int, list[tuple[int, str]]] = {}
    for cid, rid, food in session.execute(select(Candidate.id, Candidate.round_id, Candidate.food)
                                          .where(Candidate.round_id.in_(ids)).order_by(Candidate.id)):
        by_round.setdefault(rid, []).append((cid, food))
    votes = []
    published = by_round[published_id]
    # Most votes to the foods with the most batches announced after the plan (listed first).
    weights = sorted(_weights(len(published), rng), reverse=True)
    votes += _votes(ctx, published_id, [c for c, _ in published], weights,
                    rounds[0]["vote_from"], rounds[0]["vote_to"], total_votes // 2, 1, total_votes)
    voting = by_round[voting_id]
    votes += _votes(ctx, voting_id, [c for c, _ in voting], _weights(len(voting), rng),
                    rounds[1]["vote_from"], today, total_votes // 2, 3, max(100, total_votes // 4))
    bulk_insert(session, Vote.__table__, votes)
    # The published round: the top three by votes were sampled; link their demo batches.
    counts = {c: 0 for c, _ in published}
    for v in votes:
        if v["round_id"] == published_id:
            counts[v["candidate_id"]] += 1
    chosen = sorted(published, key=lambda c: -counts[c[0]])[:3]
    links = []
    for cid, food in chosen:
        session.get(Candidate, cid).selected = True
        # Only batches announced between the plan and the publication (management.link_batch
        # refuses older ones): an older batch was sampled for some other reason.
        batches = session.execute(
            select(SamplingBatch.id, SamplingBatch.result).where(
                SamplingBatch.is_demo.is_(True), SamplingBatch.food_name == food,
                SamplingBatch.announcement_date.between(plan_day, published_day))
            .order_by((SamplingBatch.result == FAILED).desc(),
                      SamplingBatch.announcement_date.desc()).limit(4)).all()
        links += [{"candidate_id": cid, "batch_id": b, "linked_by": "system:demo",
                   "linked_at": ctx.now, "is_demo": True} for b, _ in batches]
    bulk_insert(session, CandidateBatch.__table__, links)
    return len(votes)
