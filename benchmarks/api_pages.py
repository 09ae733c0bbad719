"""api_pages: the open-data API at city scale (60,000 sampling batches, 20,000 businesses):
one page of 500 records through the whole HTTP stack (FastAPI TestClient), first page and a
deep offset, vs the naive way of serving pages (load every record, build all of them, slice)."""
from __future__ import annotations

import time

from benchmarks.common import OTHERS_EMPTY, demo_database, line, log, median_seconds

BATCHES, BUSINESSES = 60_000, 20_000


def run(quick: bool) -> list[dict]:
    from fastapi.testclient import TestClient
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from portal.api.app import create_api
    from portal.api.records import batch_record, district_names
    from portal.bootstrap import Portal
    from portal.config import load_settings
    from portal.db import Database
    from portal.registry.profiles import load_profile
    from portal.ratings.queries import ratings_for
    from portal.registry.queries import search
    from portal.registry.schemas import BusinessFilter
    from portal.sampling.models import SamplingBatch
    from portal.timeutil import local_today

    batches, businesses = (BATCHES // 10, BUSINESSES // 10) if quick else (BATCHES, BUSINESSES)
    counts = {"businesses": businesses, "sampling_batches": batches, **OTHERS_EMPTY}
    with demo_database("city", counts) as (url, tmp):
        settings = load_settings({"PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": str(tmp),
                                  "PORTAL_DEMO": "0"})
        portal = Portal(settings, Database(url), load_profile("zhangjiajie"))
        client = TestClient(create_api(lambda: portal, per_minute=1_000_000, trusted_proxy=False))
        total = client.get("/sampling?limit=1").json()["meta"]["total"]
        deep = max(0, total - 500)

        def page(offset: int, path: str = "/sampling"):
            response = client.get(f"{path}?limit=500&offset={offset}")
            assert response.status_code == 200 and len(response.json()["data"]) > 0
        first = median_seconds(lambda: page(0))
        last = median_seconds(lambda: page(deep))
        shops = median_seconds(lambda: page(0, "/businesses"))

        def naive():
            # Every record built, then one page sliced off: what a quick API would do.
            with portal.db.read() as session:
                names = district_names(session)
                rows = session.scalars(select(SamplingBatch).where(SamplingBatch.in_jurisdiction.is_(True))
                                       .options(selectinload(SamplingBatch.failed_items),
                                                selectinload(SamplingBatch.disposal))
                                       .order_by(SamplingBatch.announcement_date.desc())).all()
                return [batch_record(b, names) for b in rows][:500]
        def naive_shops():
            with portal.db.read() as session:
                count, everyone = search(session, portal.profile.adcode, BusinessFilter(), limit=10**9)
                ratings_for(session, everyone, local_today())
                return everyone[:500]
        start = time.perf_counter()
        naive()
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        naive_shops()
        shops_baseline = time.perf_counter() - start
        log(f"{total:,} local batches: first page {first:.3f}s, offset {deep:,} {last:.3f}s, "
            f"businesses {shops:.3f}s; naive {baseline:.2f}s")
        basis = f"load and build all {total:,} records, then slice one page"
        # The naive cost grows with the data and ours does not: the ratio is a full-scale target.
        least = 1 if quick else 10
        return [
            line("api_pages", "sampling_first_page_seconds", first, "s", total, basis, baseline,
                 "<= 0.5 s and ratio >= 10 (at full scale)", first <= 0.5 and baseline / first >= least),
            line("api_pages", "sampling_deep_page_seconds", last, "s", total, basis, baseline,
                 "<= 1 s", last <= 1.0, offset=deep),
            line("api_pages", "businesses_page_seconds", shops, "s", businesses,
                 "load and rate every business, then slice one page", shops_baseline,
                 "<= 0.5 s and ratio >= 10 (at full scale)", shops <= 0.5 and shops_baseline / shops >= least),
        ]
