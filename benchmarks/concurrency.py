"""Run one worker function in several fresh processes that start at the same moment: the
load tests and benchmarks use it to hit the database from many processes at once."""
from __future__ import annotations

import multiprocessing
import time

from portal.db import make_engine


def _run(worker, args, barrier, results) -> None:
    make_engine.cache_clear()          # never share a parent's connection pool
    barrier.wait()
    results.put(worker(*args))


# The load modules a fork server imports when it starts: a process that runs another
# module's worker would otherwise import that module itself, portal parts and all.
LOAD_MODULES = ["benchmarks.booking_load", "benchmarks.complaint_load", "benchmarks.vote_load"]


def _context(worker):
    """New processes come from a fork server: one clean process per caller, started on first
    use, that has imported the load modules (and with them the portal) once; each process
    forks from it with nothing open, no connection and no thread of the caller's. Spawning
    imported the portal again in every process (about a second of CPU each)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(sorted({*LOAD_MODULES, worker.__module__}))
    return context


def run_at_once(worker, args_per_process: list[tuple], timeout: float = 900) -> tuple[float, list]:
    """(seconds from the common start until the last process reported, each one's result).
    `worker` must be a module-level function (processes start from a fork server)."""
    context = _context(worker)
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
