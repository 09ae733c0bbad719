"""4 processes casting 250 votes each at once, the same voters in every process (4 attempts a
voter, as in the 8 × 1,000 run of `python -m benchmarks votes_concurrency`): final counts equal
the accepted votes, no one exceeds the daily allowance, no repeat is stored; SQLite and
PostgreSQL. (Four processes on the test machine's two cores already interleave every write;
the benchmark keeps the full size.)"""
from helpers.db import official
from helpers.rounds import move_to, round_with_candidates
from benchmarks.vote_load import vote_concurrently


def test_four_processes_vote_with_repeats(portal):
    actor = official(portal, "publisher")
    round_id, candidates = round_with_candidates(portal, actor, foods=[f"食品{i}" for i in range(8)])
    move_to(portal, round_id, "voting")
    load = vote_concurrently(portal.db.url, portal.settings.secret_key, round_id, candidates,
                             voters=250, processes=4, per_process=250)
    assert not load.errors, load.errors
    assert load.accepted == load.rows == load.tally_total
    assert load.accepted + sum(load.refused.values()) == load.attempts == 1000
    assert load.max_per_voter_day == 3 and load.duplicate_keys == 0
    # Every tenth attempt repeats the one before; some voters try more than 3 times a day.
    assert load.refused["candidate"] >= 100 and load.refused["limit"] > 0
