"""sampling_search: filtered count + first page on 1,000,000 batches (province scale).

(a) indexed filters: category + district + date range + 不合格, vs the same query with
    SQLite told not to use indexes (NOT INDEXED: a table scan);
(b) a two-character Chinese substring (猪肉) with a date range, through the character-pair
    index, vs LIKE '%猪肉%' scanning the table;
(c) the search page's warm rerun in AppTest, vs its cold first run.
"""
from __future__ import annotations

import os
import time
from datetime import timedelta

from benchmarks.common import OTHERS_EMPTY, demo_database, line, log, median_seconds, pg_base_url, pg_schema

N_FULL = 1_000_000


def run(quick: bool) -> list[dict]:
    n = N_FULL // 10 if quick else N_FULL
    counts = {"businesses": 20_000 if quick else 200_000, "sampling_batches": n, **OTHERS_EMPTY}
    records = []
    with demo_database("province", counts) as (url, tmp):
        from portal.db import Database
        from portal.sampling import queries
        from portal.timeutil import local_today

        db = Database(url)
        today = local_today()
        indexed, substring = _filters(db, queries)
        district = indexed.district

        def ours(flt):
            def go():
                with db.read() as session:
                    return queries.search(session, flt)
            return go

        def naive(sql, params):
            def go():
                with db.read() as session:
                    conn = session.connection()
                    total = conn.exec_driver_sql(f"SELECT count(*) FROM sampling_batches NOT INDEXED WHERE {sql}", params).scalar()
                    rows = conn.exec_driver_sql(f"SELECT * FROM sampling_batches NOT INDEXED WHERE {sql} "
                                                "ORDER BY announcement_date DESC, id DESC LIMIT 20", params).all()
                    return total, rows
            return go

        total_a = ours(indexed)()[0]
        a = median_seconds(ours(indexed))
        base_a = median_seconds(naive(
            "in_jurisdiction = 1 AND category = ? AND district_adcode = ? AND result = ? "
            "AND announcement_date >= ? AND announcement_date <= ?",
            (indexed.category, district, "不合格", str(indexed.date_from), str(today))), repeat=3)
        records.append(line("sampling_search", "indexed_filters_seconds", a, "s", n,
                            "same query, table scan (NOT INDEXED)", base_a, "<= 0.1 s", a <= 0.1,
                            matches=total_a, database="sqlite"))
        total_b = ours(substring)()[0]
        b = median_seconds(ours(substring))
        base_b = median_seconds(naive(
            "in_jurisdiction = 1 AND (food_name || ' ' || coalesce(producer_name, '') || ' ' || "
            "coalesce(sampled_unit, '')) LIKE ? AND announcement_date >= ? "
            "AND announcement_date <= ?", ("%猪肉%", str(substring.date_from), str(today))), repeat=3)
        records.append(line("sampling_search", "two_char_substring_seconds", b, "s", n,
                            "LIKE '%猪肉%' scanning the table", base_b, "<= 0.2 s", b <= 0.2,
                            matches=total_b, database="sqlite"))
        records.append(_page_rerun(url, tmp, n))
    pg = pg_base_url()
    if pg:
        records += _postgres(pg, counts, n)
    else:
        log("PostgreSQL skipped: set PORTAL_BENCH_PG_URL (or PORTAL_TEST_DATABASE_URL)")
    return records


def _filters(db, queries):
    from portal.timeutil import local_today

    today = local_today()
    with db.read() as session:
        district = session.scalar(queries.select(queries.SamplingBatch.district_adcode)
                                  .where(queries.SamplingBatch.district_adcode.is_not(None)).limit(1))
    indexed = queries.SamplingFilter(category="蔬菜及其制品", district=district, result="fail",
                                     date_from=today - timedelta(days=365), date_to=today)
    substring = queries.SamplingFilter(q="猪肉", date_from=today - timedelta(days=180), date_to=today)
    return indexed, substring


def _postgres(base_url: str, counts: dict, n: int) -> list[dict]:
    """The same two queries on PostgreSQL, in a throw-away schema; baseline: the planner
    forbidden to use indexes (SET enable_indexscan/bitmapscan/indexonlyscan = off)."""
    from sqlalchemy import text

    from portal.bootstrap import bootstrap
    from portal.config import load_settings
    from portal.demo import generator
    from portal.sampling import queries

    records = []
    with pg_schema(base_url) as (url, tmp):
        portal = bootstrap(load_settings({"PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": tmp,
                                          "PORTAL_DEMO": "0"}))
        log(f"PostgreSQL: generating {n:,} batches …")
        start = time.perf_counter()
        generator.generate(portal.db, portal.profile, "province", counts=counts)
        with portal.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        log(f"generated in {time.perf_counter() - start:.0f} s")
        db = portal.db
        indexed, substring = _filters(db, queries)

        def ours(flt, scan=False):
            def go():
                with db.read() as session:
                    if scan:
                        for knob in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
                            session.execute(text(f"SET LOCAL {knob} = off"))
                    return queries.search(session, flt)
            return go

        for metric, flt, target, limit, baseline in (
                ("indexed_filters_seconds", indexed, "<= 0.1 s", 0.1, "same query, indexes off (table scan)"),
                ("two_char_substring_seconds", substring, "<= 0.2 s", 0.2, "same query, indexes off (table scan)")):
            matches = ours(flt)()[0]
            value = median_seconds(ours(flt))
            base = median_seconds(ours(flt, scan=True), repeat=3)
            records.append(line("sampling_search", metric, value, "s", n, baseline, base,
                                target, value <= limit, matches=matches,
                                database="postgresql"))
        db.engine.dispose()
    return records


def _page_rerun(url: str, tmp, n: int) -> dict:
    from streamlit.testing.v1 import AppTest

    from benchmarks.common import ROOT

    os.environ.update({"PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": str(tmp), "PORTAL_DEMO": "0"})
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.run()
    at.query_params["q"] = "猪肉"
    at.query_params["result"] = "不合格"
    start = time.perf_counter()
    at.switch_page("pages/sampling.py").run()
    cold = time.perf_counter() - start
    assert not at.exception, at.exception
    warm_times = []
    for _ in range(5):
        start = time.perf_counter()
        at.run()
        warm_times.append(time.perf_counter() - start)
    warm = sorted(warm_times)[len(warm_times) // 2]
    log(f"page cold {cold:.3f}s warm {warm:.3f}s")
    return line("sampling_search", "page_warm_rerun_seconds", warm, "s", n,
                "the same page's cold first run", cold, "<= 0.3 s", warm <= 0.3)
