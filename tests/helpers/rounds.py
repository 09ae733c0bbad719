"""Shared set-up for 你点我检 tests: a round form, a round in a chosen phase, candidates."""
from __future__ import annotations

from datetime import timedelta

from helpers.db import database
from portal.rounds import management
from portal.rounds.models import Round
from portal.timeutil import local_today


def round_form(**overrides) -> dict:
    today = local_today()
    data = {"title": "2026年第4期你点我检", "description": "请您选出最想让我们抽检的食品。",
            "proposal_from": today, "proposal_to": today + timedelta(days=6),
            "vote_from": today + timedelta(days=7), "vote_to": today + timedelta(days=13),
            "results_due": today + timedelta(days=40), "sample_count": 2, "daily_votes": 3}
    data.update(overrides)
    return data


# Where today falls in a round laid out as round_form() lays it out, by days from its start.
PHASE_STARTS = {"proposals": 0, "voting": -7, "sampling": -14}


def move_to(where, round_id: int, phase: str) -> None:
    """Put a round in a phase ("proposals", "voting" or "sampling"): shift its dates so that
    today falls in it. `where`: a Portal, a Database or a page test's app_env folder."""
    today = local_today()
    starts = PHASE_STARTS[phase]
    with database(where).write() as session:
        r = session.get(Round, round_id)
        r.proposal_from = today + timedelta(days=starts)
        r.proposal_to = r.proposal_from + timedelta(days=6)
        r.vote_from = r.proposal_from + timedelta(days=7)
        r.vote_to = r.proposal_from + timedelta(days=13)
        r.results_due = r.proposal_from + timedelta(days=40)


def round_with_candidates(where, actor, foods=("鲜榨果汁", "小龙虾", "凉皮")) -> tuple[int, list[int]]:
    """A round (in its proposal phase) with accepted candidates. `where`: as for move_to."""
    with database(where).write() as session:
        r = management.create_round(session, actor, round_form())
        ids = [management.add_candidate(session, actor, r.id, {"food": f, "place": "全市"}).id
               for f in foods]
        return r.id, ids
