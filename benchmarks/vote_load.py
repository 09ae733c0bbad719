"""Many processes voting at once, with deliberate repeats: used by the concurrency test and
the votes_concurrency benchmark."""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

# Imported here, not in the worker: processes load them before the common start.
from benchmarks.concurrency import run_at_once
from portal.db import Database
from portal.personal import keyed_hash
from portal.rounds.models import Vote
from portal.rounds.participation import vote
from portal.rounds.queries import tallies
from portal.validation import InputError


@dataclass(frozen=True)
class VoteLoad:
    seconds: float
    attempts: int
    accepted: int
    refused: Counter          # reason -> count (the messages citizens see)
    errors: Counter           # anything else: must stay empty
    rows: int                 # votes in the database
    tally_total: int          # the sum of the public tallies
    max_per_voter_day: int
    duplicate_keys: int


def _worker(url: str, secret: str, round_id: int, candidate_ids: list[int], voters: int,
            worker: int, n: int) -> tuple[int, Counter, Counter]:
    db = Database(url)
    rng = random.Random(worker)
    accepted, refused, errors = 0, Counter(), Counter()
    who = candidate = None
    for i in range(n):
        if i % 10 != 9 or who is None:      # every tenth attempt deliberately repeats the last
            who = keyed_hash(secret, "phone", f"1380000{rng.randrange(voters):04d}")
            candidate = rng.choice(candidate_ids)
        try:
            with db.write() as session:
                vote(session, secret, round_id, candidate, who, f"10.0.{worker}.1")
            accepted += 1
        except InputError as exc:
            refused[next(iter(exc.errors))] += 1
        except Exception as exc:  # counted and reported, never hidden
            errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
    db.engine.dispose()
    return accepted, refused, errors


def vote_concurrently(url: str, secret: str, round_id: int, candidate_ids: list[int],
                      voters: int = 2000, processes: int = 8, per_process: int = 1000) -> VoteLoad:
    """Voters are shared by all processes, so the same person votes from several at once:
    repeats for one candidate and the daily allowance are both contended."""
    seconds, outcomes = run_at_once(_worker, [(url, secret, round_id, candidate_ids, voters, w,
                                               per_process) for w in range(processes)])
    refused, errors = Counter(), Counter()
    for _, r, e in outcomes:
        refused.update(r)
        errors.update(e)
    with Database(url).read() as session:
        rows = session.scalar(select(func.count()).select_from(Vote).where(Vote.round_id == round_id))
        total = sum(t.votes for t in tallies(session, round_id))
        per_voter = select(func.count().label("n")).where(Vote.round_id == round_id) \
            .group_by(Vote.voter_hash, Vote.day).subquery()
        most = session.scalar(select(func.max(per_voter.c.n))) or 0
        keys = select(func.count().label("n")).where(Vote.round_id == round_id) \
            .group_by(Vote.candidate_id, Vote.voter_hash, Vote.day).subquery()
        duplicates = session.scalar(select(func.count()).select_from(keys).where(keys.c.n > 1))
    return VoteLoad(seconds, processes * per_process, sum(a for a, _, _ in outcomes), refused,
                    errors, rows, total, most, duplicates)
