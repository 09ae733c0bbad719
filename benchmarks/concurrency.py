"""Run one worker function in several processes that start at the same moment: the load
tests and benchmarks use it to hit the database from many processes at once.

The processes are forked from the caller, as a server's worker processes are forked from
their master: each starts with the caller's modules loaded and warm (SQLAlchemy's mappers
configured, statements compiled), so what it costs is the work it is given. Spawned
processes (and those of a fork server) cost 1.5–2 s of CPU each on a busy machine before their
first write, most of it importing and warming up. A child never touches the caller's connections: it drops the
engine cache before its first query and opens its own, and ends with os._exit (multiprocessing's
fork start), so no inherited connection is closed or used from the child."""
from __future__ import annotations

import multiprocessing
import time

from portal.db import make_engine


def _run(worker, args, barrier, results) -> None:
    make_engine.cache_clear()          # never share a parent's connection pool
    barrier.wait()
    results.put(worker(*args))


def run_at_once(worker, args_per_process: list[tuple], timeout: float = 900) -> tuple[float, list]:
    """(seconds from the common start until the last process reported, each one's result)."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(args_per_process) + 1)
    results = context.Queue()
    processes = [context.Process(target=_run, args=(worker, args, barrier, results))
                 for args in args_per_process]
    for p in processes:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    outcomes = [results.get(timeout=timeout) for _ in processes]
    seconds = time.perf_counter() - start
    for p in processes:
        p.join()
    return seconds, outcomes
