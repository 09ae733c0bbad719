"""Shared helpers: the JSON line, timing, and demo databases cached by scale and code version."""
from __future__ import annotations

import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench-cache"


# Benchmarks of one capability leave the others' demo tables empty: generation stays quick.
OTHERS_EMPTY = {"complaints": 0, "votes": 0, "survey_responses": 0}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def line(benchmark: str, metric: str, value: float, unit: str, n: int, baseline: str,
         baseline_value: float, target: str, ok: bool, **extra) -> dict:
    ratio = round(baseline_value / value, 2) if value else None
    record = {"benchmark": benchmark, "metric": metric, "value": round(value, 4), "unit": unit,
              "n": n, "baseline": baseline, "baseline_value": round(baseline_value, 4),
              "ratio": ratio, "target": target, "ok": bool(ok), **extra}
    print(json.dumps(record, ensure_ascii=False), flush=True)
    return record


def render_template(template: str, values: dict[str, str]) -> str:
    """Fill the ${NAME} placeholders of deploy/nginx.conf.template; nginx's own $variables
    are left alone."""
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    assert "${" not in template, "an unfilled placeholder"
    return template


def median_seconds(fn, repeat: int = 7) -> float:
    fn()  # warm caches and the query planner
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def code_version() -> str:
    digest = hashlib.sha1()
    for pattern in ("portal/demo/*.py", "portal/migrations/versions/*.py", "portal/**/models.py"):
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def demo_database(scale: str, counts: dict[str, int] | None = None):
    """A temporary SQLite copy of a demo database; generated once per scale/counts/code version."""
    from portal.config import load_settings
    from portal.bootstrap import bootstrap
    from portal.demo import generator

    size = f"{scale}-{'-'.join(f'{k}{v}' for k, v in sorted((counts or {}).items()))}"
    cached = CACHE / f"{size}-{code_version()}.sqlite3"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        for old in CACHE.glob(f"{size}-*.sqlite3"):  # older code versions of the same size
            old.unlink()
        building = cached.with_suffix(".building")
        building.unlink(missing_ok=True)
        log(f"generating demo data ({scale}, {counts or 'full'}) into {cached} …")
        start = time.perf_counter()
        settings = load_settings({"PORTAL_DATABASE_URL": f"sqlite:///{building}",
                                  "PORTAL_VAR_DIR": str(CACHE), "PORTAL_DEMO": "0"})
        portal = bootstrap(settings)
        generator.generate(portal.db, portal.profile, scale, counts=counts,
                           secret_key=settings.secret_key)
        with portal.db.write() as session:
            session.connection().exec_driver_sql("ANALYZE")
        portal.db.engine.dispose()
        shutil.move(building, cached)
        log(f"generated in {time.perf_counter() - start:.0f} s")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "bench.sqlite3"
        shutil.copyfile(cached, copy)
        yield f"sqlite:///{copy}", Path(tmp)


def pg_base_url() -> str | None:
    import os

    return os.environ.get("PORTAL_BENCH_PG_URL") or os.environ.get("PORTAL_TEST_DATABASE_URL")


@contextmanager
def pg_schema(base_url: str):
    """A throw-away PostgreSQL schema: yields (url using it, a temporary folder); dropped after."""
    import uuid

    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base_url else "?"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"{base_url}{sep}options=-csearch_path%3D{schema}", tmp
    finally:
        from portal.db import make_engine

        make_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def on_each_database(one, *args) -> list[dict]:
    """one(label, url, tmp, *args) on a temporary SQLite file, then on PostgreSQL when
    PORTAL_BENCH_PG_URL (or PORTAL_TEST_DATABASE_URL) names a server."""
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        records.append(one("sqlite", f"sqlite:///{tmp}/bench.sqlite3", tmp, *args))
    base = pg_base_url()
    if base:
        with pg_schema(base) as (url, tmp):
            records.append(one("postgresql", url, tmp, *args))
    else:
        log("PostgreSQL skipped: set PORTAL_BENCH_PG_URL (or PORTAL_TEST_DATABASE_URL)")
    return records
