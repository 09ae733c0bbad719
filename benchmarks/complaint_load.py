"""Many processes filing complaints at once: used by the concurrency test and the
complaints_concurrency benchmark, so both exercise exactly the production code path."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

# Imported here, not in the worker: processes load them before the common start.
from benchmarks.concurrency import run_at_once
from portal.clients import Client
from portal.complaints.filing import submit
from portal.complaints.models import Complaint, ComplaintEvent
from portal.db import Database
from portal.timeutil import local_today


@dataclass(frozen=True)
class LoadResult:
    seconds: float
    filed: int
    rows: int
    unique_numbers: int
    events: int
    errors: Counter


def _form(business_id: int, worker: int, i: int, today) -> dict:
    return {"kind": "complaint" if i % 3 else "report", "business_id": business_id,
            "category": "异物", "occurred_on": today - timedelta(days=1),
            "description": f"负载测试：第 {worker} 号进程的第 {i} 件，米粉里有异物。",
            "claim": "退款", "contact_name": "测试用户",
            "phone": f"13{worker:01d}{i:08d}"[:11], "consent": True}


def _worker(url: str, secret: str, adcode: str, business_id: int, worker: int,
            n: int) -> tuple[int, Counter]:
    db = Database(url)
    today = local_today()
    errors: Counter = Counter()
    filed = 0
    for i in range(n):
        try:
            with db.write() as session:
                submit(session, secret, adcode, _form(business_id, worker, i, today), [],
                       Client(f"load-{worker}-{i}", f"10.{worker}.{i // 250}.{i % 250}"))
            filed += 1
        except Exception as exc:  # counted and reported, never hidden
            errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
    db.engine.dispose()
    return filed, errors


def file_concurrently(url: str, secret: str, adcode: str, business_id: int,
                      processes: int = 8, per_process: int = 250) -> LoadResult:
    seconds, outcomes = run_at_once(_worker, [(url, secret, adcode, business_id, w, per_process)
                                              for w in range(processes)])
    errors: Counter = Counter()
    for _, e in outcomes:
        errors.update(e)
    with Database(url).read() as session:
        rows = session.scalar(select(func.count()).select_from(Complaint))
        unique = session.scalar(select(func.count(func.distinct(Complaint.tracking_no))))
        events = session.scalar(select(func.count()).select_from(ComplaintEvent))
    return LoadResult(seconds, sum(f for f, _ in outcomes), rows, unique, events, errors)
