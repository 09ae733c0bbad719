"""A sliding one-minute window of requests per client address, per process: the API's
per-client limit (portal.api.limits) and the feeds' (portal.web.feeds) both count with it."""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int      # seconds until one more request is allowed (0 when allowed)


class ClientWindow:
    """At most `per_minute` requests per client in any 60 seconds."""

    def __init__(self, per_minute: int, clock=time.monotonic, max_clients: int = 50_000):
        self.per_minute = per_minute
        self.clock = clock
        self.max_clients = max_clients
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> Verdict:
        now = self.clock()
        with self._lock:
            hits = self._hits.get(client)
            if hits is None:
                if len(self._hits) >= self.max_clients:
                    self._forget_idle(now)
                hits = self._hits[client] = deque()
            while hits and hits[0] <= now - 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                retry = max(1, int(hits[0] + 60 - now + 0.999))
                return Verdict(False, self.per_minute, 0, retry)
            hits.append(now)
            return Verdict(True, self.per_minute, self.per_minute - len(hits), 0)

    def _forget_idle(self, now: float) -> None:
        for client in [c for c, hits in self._hits.items() if not hits or hits[-1] <= now - 60]:
            del self._hits[client]
