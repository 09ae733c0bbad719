"""Per-client request limits, so that one scraper cannot slow the portal for everyone.

Two guards, both per process: a sliding one-minute window of requests per client address
(portal.client_window, which the feeds use too), and a cap on database queries running at
once, here (the rest wait briefly, then get 503). The pages run in the same process; the cap
keeps threads free for them.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager


class Busy(Exception):
    """Every query slot stayed taken for the whole wait."""


class QuerySlots:
    def __init__(self, slots: int, wait_seconds: float = 5.0):
        self._semaphore = threading.BoundedSemaphore(slots)
        self.wait_seconds = wait_seconds

    @contextmanager
    def slot(self):
        if not self._semaphore.acquire(timeout=self.wait_seconds):
            raise Busy
        try:
            yield
        finally:
            self._semaphore.release()
