"""Substring search on two or more characters without scanning the table.

Chinese has no spaces and a search is often two characters (猪肉): trigram indexes need three,
and LIKE '%猪肉%' reads every row. Each batch therefore stores the overlapping character pairs
of its food, producer and sampled-unit names ("猪肉 肉松 ..."); SQLite indexes them with FTS5
(each pair one token), PostgreSQL with a GIN index on the array of pairs. A query's pairs
narrow the candidates through the index, then LIKE on those few rows confirms the substring.
"""
from __future__ import annotations

import re
from functools import lru_cache

_RUN = re.compile(r"[^\W_]+")  # letters and digits of any script, CJK included


def pairs(text: str | None) -> list[str]:
    """Distinct overlapping pairs of letters/digits, in order of first appearance."""
    found: list[str] = []
    for run in _RUN.findall((text or "").lower()):
        found += [a + b for a, b in zip(run, run[1:])]
    return list(dict.fromkeys(found))


@lru_cache(maxsize=65536)
def _part_pairs(part: str) -> str:
    return " ".join(pairs(part))


def bigram_text(*parts: str | None) -> str:
    """The pairs of each part (names repeat across an announcement: each is split once)."""
    return " ".join([pairs_ for pairs_ in map(_part_pairs, filter(None, parts)) if pairs_])


def query_pairs(query: str) -> list[str]:
    """The pairs a hit must contain; empty when the query is too short to use the index."""
    return pairs(query)


def fts_match(query_pairs_: list[str]) -> str:
    # Each pair quoted: FTS5 reads it as one token, never as an operator.
    return " AND ".join(f'"{p}"' for p in query_pairs_)


def fts_match_any(terms_pairs: list[list[str]]) -> str:
    """Rows holding every pair of at least one term."""
    if len(terms_pairs) == 1:
        return fts_match(terms_pairs[0])
    return " OR ".join(f"({fts_match(p)})" for p in terms_pairs)


def last_batch_id(session) -> int:
    from sqlalchemy import text

    return session.execute(text("SELECT coalesce(max(id), 0) FROM sampling_batches")).scalar_one()


def index_inserted(session, after_id: int) -> None:
    """Index batches inserted after `after_id` (SQLite FTS5; PostgreSQL's GIN index keeps
    itself). Call in the inserting transaction: writes are serialised (BEGIN IMMEDIATE), so
    every row above `after_id` is this transaction's."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO sampling_fts(rowid, search_bigrams) "
                             "SELECT id, search_bigrams FROM sampling_batches WHERE id > :after"),
                        {"after": after_id})
