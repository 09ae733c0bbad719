"""votes_concurrency: 8 processes casting 1,000 votes each at once (8,000 attempts), the same
2,000 voters in every process, every tenth attempt a deliberate repeat, on SQLite and (with PORTAL_BENCH_PG_URL or
PORTAL_TEST_DATABASE_URL) PostgreSQL: exact counts, limits kept, attempts per second; the
baseline is one process making the same attempts one after another (measured on 1,000 and
scaled)."""
from __future__ import annotations

import time

from benchmarks.common import line, log, on_each_database

PROCESSES, PER_PROCESS, VOTERS = 8, 1000, 2000


def _prepare(url: str, tmp: str, foods: int = 8):
    from datetime import timedelta

    from portal.accounts.rules import cli_actor
    from portal.bootstrap import bootstrap
    from portal.config import load_settings
    from portal.rounds import management
    from portal.timeutil import local_today

    portal = bootstrap(load_settings({"PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": tmp,
                                      "PORTAL_DEMO": "0"}))
    today = local_today()
    actor = cli_actor("bench")
    ids = []
    for label in ("load", "baseline"):
        with portal.db.write() as session:
            round_ = management.create_round(session, actor, {
                "title": f"基准测试 {label}", "description": "并发投票基准测试用的一期。",
                "proposal_from": today - timedelta(days=12), "proposal_to": today - timedelta(days=11),
                "vote_from": today - timedelta(days=10), "vote_to": today + timedelta(days=5),
                "results_due": today + timedelta(days=30), "sample_count": 3, "daily_votes": 3},
                is_demo=True)
        # Candidates are added directly: voting is already open (dates set for the benchmark).
        with portal.db.write() as session:
            cands = [management.Candidate(round_id=round_.id, food=f"食品{i}", status="accepted",
                                          is_demo=True) for i in range(foods)]
            session.add_all(cands)
            session.flush()
            ids.append((round_.id, [c.id for c in cands]))
    return portal, ids


def _sequential(portal, round_id: int, candidates: list[int], n: int) -> float:
    from benchmarks.vote_load import _worker

    start = time.perf_counter()
    _worker(portal.db.url, portal.settings.secret_key, round_id, candidates, VOTERS, 99, n)
    return time.perf_counter() - start


def _one(label: str, url: str, tmp: str, per_process: int) -> dict:
    from benchmarks.vote_load import vote_concurrently

    portal, ((round_id, candidates), (base_round, base_candidates)) = _prepare(url, tmp)
    load = vote_concurrently(url, portal.settings.secret_key, round_id, candidates,
                             VOTERS, PROCESSES, per_process)
    attempts = PROCESSES * per_process
    sample = per_process
    baseline = _sequential(portal, base_round, base_candidates, sample) * attempts / sample
    log(f"{label}: {load}")
    ok = (not load.errors and load.accepted == load.rows == load.tally_total
          and load.accepted + sum(load.refused.values()) == attempts
          and load.max_per_voter_day <= 3 and load.duplicate_keys == 0)
    return line("votes_concurrency", f"seconds_{label}", load.seconds, "s", attempts,
                f"one process making the same attempts one after another, measured on {sample} and scaled",
                baseline, "counts exactly equal accepted votes; no voter over 3 a day; no repeat stored; no errors",
                ok, accepted=load.accepted, refused=dict(load.refused), rows=load.rows,
                tally_total=load.tally_total, max_per_voter_day=load.max_per_voter_day,
                per_second=round(attempts / load.seconds, 1), errors=dict(load.errors))


def run(quick: bool) -> list[dict]:
    return on_each_database(_one, PER_PROCESS // 10 if quick else PER_PROCESS)
