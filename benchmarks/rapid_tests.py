"""rapid_tests: 快检 results at the scale target (issue 20: five years at 张家界's rate, 415,000
results), on SQLite and PostgreSQL:

(a) a market's day (its results, positives first) vs the same query as a table scan
    (SQLite NOT INDEXED; PostgreSQL with its index scans turned off);
(b) a food search (韭菜: total and the first page, positives first) vs LIKE '%韭菜%' over a
    table scan;
(c) importing a month's sheet (7,000 rows, .xlsx with title rows) end to end, vs pandas +
    openpyxl only reading the same file. Target < 2 s.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from benchmarks.common import (OTHERS_EMPTY, demo_database, line, log, median_seconds,
                               pg_base_url, pg_schema)

N_FULL = 415_000
SHEET_ROWS = 7_000
FOOD = "韭菜"


def _counts(n: int) -> dict:
    return {"businesses": 2_000, "sampling_batches": 200, "rapid_tests": n, **OTHERS_EMPTY}


def run(quick: bool) -> list[dict]:
    n = N_FULL // 10 if quick else N_FULL
    records = []
    with demo_database("province", _counts(n)) as (url, tmp):
        from portal.db import Database

        db = Database(url)
        records += _queries(db, n, "sqlite", _sqlite_naive)
    pg = pg_base_url()
    if pg:
        records += _postgres(pg, n)
    else:
        log("PostgreSQL skipped: set PORTAL_BENCH_PG_URL (or PORTAL_TEST_DATABASE_URL)")
    records.append(_import(quick))
    return records


def _busiest(db):
    """The market and day to read: the latest day's first market."""
    from portal.rapid_tests import queries

    with db.read() as session:
        day = queries.latest_day(session)
        market = queries.day_summary(session, day)[0].market_id
    return market, day


def _queries(db, n: int, database: str, naive) -> list[dict]:
    from portal.rapid_tests import queries
    from portal.rapid_tests.schemas import RapidFilter

    market, day = _busiest(db)

    def market_day():
        with db.read() as session:
            return queries.market_day(session, market, day)

    def food():
        with db.read() as session:
            return queries.search(session, RapidFilter(q=FOOD))

    rows = len(market_day())
    matches = food()[0]
    a = median_seconds(market_day)
    base_a = median_seconds(naive(db, "market_day", market, day), repeat=3)
    b = median_seconds(food)
    base_b = median_seconds(naive(db, "food", market, day), repeat=3)
    return [line("rapid_tests", "market_day_seconds", a, "s", n,
                 "same query, table scan (indexes not used)", base_a, "< 0.1 s", a < 0.1,
                 rows=rows, database=database),
            line("rapid_tests", "food_search_seconds", b, "s", n,
                 f"LIKE '%{FOOD}%' on sample or market, table scan, count + first page", base_b,
                 "< 0.1 s", b < 0.1, matches=matches, database=database)]


def _sqlite_naive(db, what: str, market: int, day):
    def go():
        with db.read() as session:
            conn = session.connection()
            if what == "market_day":
                return conn.exec_driver_sql(
                    "SELECT * FROM rapid_tests NOT INDEXED WHERE market_id = ? AND tested_on = ? "
                    "ORDER BY result DESC, stall, id", (market, str(day))).all()
            where = ("(sample LIKE ? OR market_id IN (SELECT id FROM rapid_markets WHERE name LIKE ?))")
            like = (f"%{FOOD}%", f"%{FOOD}%")
            total = conn.exec_driver_sql(f"SELECT count(*) FROM rapid_tests NOT INDEXED WHERE {where}",
                                         like).scalar()
            rows = conn.exec_driver_sql(f"SELECT * FROM rapid_tests NOT INDEXED WHERE {where} "
                                        "ORDER BY result DESC, tested_on DESC, id DESC LIMIT 50",
                                        like).all()
            return total, rows
    return go


def _postgres(base_url: str, n: int) -> list[dict]:
    from sqlalchemy import text

    from portal.bootstrap import bootstrap
    from portal.config import load_settings
    from portal.demo import generator

    with pg_schema(base_url) as (url, tmp):
        portal = bootstrap(load_settings({"PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": tmp,
                                          "PORTAL_DEMO": "0"}))
        log(f"PostgreSQL: generating {n:,} rapid tests …")
        start = time.perf_counter()
        generator.generate(portal.db, portal.profile, "province", counts=_counts(n))
        with portal.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        log(f"generated in {time.perf_counter() - start:.0f} s")

        def naive(db, what, market, day):
            from portal.rapid_tests import queries
            from portal.rapid_tests.schemas import RapidFilter

            def go():
                with db.read() as session:
                    for knob in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
                        session.execute(text(f"SET LOCAL {knob} = off"))
                    if what == "market_day":
                        return queries.market_day(session, market, day)
                    return queries.search(session, RapidFilter(q=FOOD))
            return go

        records = _queries(portal.db, n, "postgresql", naive)
        portal.db.engine.dispose()
    return records


def _import(quick: bool) -> dict:
    import pandas as pd

    from portal.accounts.rules import cli_actor
    from portal.bootstrap import bootstrap
    from portal.config import load_settings
    from portal.demo.rapid_tests import write_month_sheet
    from portal.importers.rapid_tests import import_rapid_tests
    from portal.timeutil import local_today

    with tempfile.TemporaryDirectory() as tmp:
        portal = bootstrap(load_settings({"PORTAL_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                                          "PORTAL_VAR_DIR": tmp, "PORTAL_DEMO": "0"}))
        path = Path(tmp) / "month.xlsx"
        start_day = local_today().replace(day=1)
        from datetime import timedelta
        start_day = (start_day - timedelta(days=1)).replace(day=1)    # last month
        markets = [f"演示{i}号农贸市场" for i in range(30)]
        write_month_sheet(path, SHEET_ROWS, start_day, markets)
        start = time.perf_counter()
        pd.read_excel(path, engine="openpyxl", header=None)
        baseline = time.perf_counter() - start
        data = path.read_bytes()
        start, cpu = time.perf_counter(), time.process_time()
        with portal.db.write() as session:
            report = import_rapid_tests(session, cli_actor("bench"), data, path.name)
        ours, cpu = time.perf_counter() - start, time.process_time() - cpu
        log(f"import: {ours:.2f} s, {report.as_json() | {'errors': len(report.errors)}}")
        portal.db.engine.dispose()
        ok = report.imported == SHEET_ROWS and not report.errors and ours < 2.0
        return line("rapid_tests", "month_sheet_import_seconds", ours, "s", SHEET_ROWS,
                    "pandas.read_excel(engine='openpyxl') only reading the same file", baseline,
                    "< 2 s end to end", ok, imported=report.imported, database="sqlite",
                    cpu_seconds=round(cpu, 3), load_average=round(os.getloadavg()[0], 1))
