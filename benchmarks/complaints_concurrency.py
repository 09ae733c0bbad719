"""complaints_concurrency: 8 processes filing 250 complaints each at once (2,000), on SQLite
and (when PORTAL_TEST_DATABASE_URL is set) PostgreSQL: rows, unique tracking numbers, errors,
complaints per second; the baseline is one process filing the same number one after another
(measured on 250, scaled linearly)."""
from __future__ import annotations

import time

from benchmarks.common import line, log, on_each_database

PROCESSES, PER_PROCESS = 8, 250


def _prepare(url: str, tmp: str):
    from portal.bootstrap import bootstrap
    from portal.config import load_settings
    from portal.registry.models import CATERING, Business

    portal = bootstrap(load_settings({"PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": tmp,
                                      "PORTAL_DEMO": "0"}))
    with portal.db.write() as session:
        business = Business(name="负载测试餐馆", sector=CATERING, business_type="餐馆",
                            address="测试路 1 号", district_adcode=portal.profile.districts[0].adcode,
                            lat=portal.profile.centre[0], lng=portal.profile.centre[1], is_demo=True)
        session.add(business)
        session.flush()
        return portal, business.id


def _sequential(portal, business_id: int, n: int) -> float:
    from portal.clients import Client
    from portal.complaints.filing import submit
    from benchmarks.complaint_load import _form
    from portal.timeutil import local_today

    today = local_today()
    start = time.perf_counter()
    for i in range(n):
        with portal.db.write() as session:
            submit(session, portal.settings.secret_key, portal.profile.adcode,
                   _form(business_id, 9, i, today), [], Client(f"seq-{i}", f"10.9.{i // 250}.{i % 250}"))
    return time.perf_counter() - start


def _one(label: str, url: str, tmp: str, per_process: int) -> dict:
    from benchmarks.complaint_load import file_concurrently

    portal, business_id = _prepare(url, tmp)
    result = file_concurrently(url, portal.settings.secret_key, portal.profile.adcode,
                               business_id, PROCESSES, per_process)
    total = PROCESSES * per_process
    sample = max(25, per_process)
    baseline = _sequential(portal, business_id, sample) * total / sample
    log(f"{label}: {result}")
    ok = (result.rows == total and result.unique_numbers == total and result.events == total
          and not result.errors)
    return line("complaints_concurrency", f"seconds_{label}", result.seconds, "s", total,
                f"one process filing one after another, measured on {sample} and scaled", baseline,
                "2,000 rows, all tracking numbers unique, nothing lost, no errors", ok,
                rows=result.rows, unique_numbers=result.unique_numbers,
                per_second=round(total / result.seconds, 1), errors=dict(result.errors))


def run(quick: bool) -> list[dict]:
    return on_each_database(_one, PER_PROCESS // 10 if quick else PER_PROCESS)
