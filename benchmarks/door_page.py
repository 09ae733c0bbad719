"""door_page: the door page /b/{id} under a crowd, against a small static file of the same server.

The portal runs as on a fresh clone (`streamlit run streamlit_app.py`, the project's own
.streamlit/config.toml, which serves ./static at /app/static). Eight HTTP clients fetch door
pages of 64 businesses in turn (as a crowd at many doors asks for them: each already cached
once), then, in the same run, the static file static/README.md. Each request opens its own
connection, as a phone that has just scanned a code does. (On a reused keep-alive connection
every answer of this server, static files included, takes about 44 ms: Streamlit binds its
listening socket with protocol 0, so asyncio never sets TCP_NODELAY on the connections and
Nagle's algorithm holds the body until the client's delayed ACK; see benchmarks/RESULTS.md.) The value is seconds per door page at that rate (1 / requests per
second), the baseline the static file's, so `ratio` is door pages/s over static files/s;
the targets are ratio >= 0.3 and p95 < 50 ms.

The per-address windows are raised (PORTAL_API_RATE at its maximum): every client comes
from 127.0.0.1 and this measures what a page costs, not the limit (tests/test_door_page.py
checks that).
"""
from __future__ import annotations

import http.client
import os
import statistics
import threading
import time

from benchmarks.common import ROOT, demo_database, line, log
from benchmarks.page_visits import _port, p95, start_streamlit, stop

CLIENTS = 8
BUSINESSES = 64
STATIC = "/app/static/README.md"


def business_ids(url: str) -> list[int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        ids = list(conn.execute(text("SELECT id FROM businesses WHERE sector = 'catering' "
                                     "ORDER BY id LIMIT :n"), {"n": BUSINESSES}).scalars())
    engine.dispose()
    return ids


def crowd(port: int, paths: list[str], requests: int) -> tuple[float, list[float], int]:
    """CLIENTS threads until `requests` answers: (requests/s, each one's seconds, bytes of one)."""
    todo = iter(range(requests))
    lock = threading.Lock()
    seconds: list[float] = []
    sizes: list[int] = []
    failures: list[str] = []

    def client() -> None:
        while True:
            with lock:
                k = next(todo, None)
            if k is None:
                return
            start = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", paths[k % len(paths)], headers={"Connection": "close"})
                response = conn.getresponse()
                body = response.read()
            finally:
                conn.close()
            took = time.perf_counter() - start
            with lock:
                seconds.append(took)
                sizes.append(len(body))
                if response.status != 200:
                    failures.append(f"{paths[k % len(paths)]}: {response.status}")

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[0]}")
    return requests / elapsed, seconds, int(statistics.median(sizes))


def run(quick: bool) -> list[dict]:
    scale = "small" if quick else "city"
    requests = 800 if quick else 2000
    records = []
    with demo_database(scale) as (url, tmp):
        env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": str(tmp), "PORTAL_DEMO": "1",
               "PORTAL_API_RATE": "100000"}
        for name in ("PORTAL_JURISDICTION", "PORTAL_PUBLIC_URL", "STREAMLIT_SERVER_FILE_WATCHER_TYPE"):
            env.pop(name, None)
        doors = [f"/b/{ident}" for ident in business_ids(url)]
        port = _port()
        server = start_streamlit("streamlit_app.py", ROOT, env, port)
        try:
            crowd(port, doors, len(doors))              # each page built once, as a crowd finds it
            crowd(port, [STATIC], 50)
            ours, times, size = crowd(port, doors, requests)
            base, base_times, base_size = crowd(port, [STATIC], requests)
        finally:
            stop(server)
    log(f"door page ({scale}): {ours:.0f} req/s, p50 {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {p95(times) * 1000:.1f} ms, {size:,} B; static file {base:.0f} req/s, "
        f"p95 {p95(base_times) * 1000:.1f} ms, {base_size:,} B")
    records.append(line(
        "door_page", "seconds_per_request", 1 / ours, "s", requests,
        f"the same server's static file {STATIC}, same clients", 1 / base,
        "ratio (door pages/s over static files/s) >= 0.3 and p95 < 50 ms",
        ours / base >= 0.3 and p95(times) < 0.05,
        scale=scale, clients=CLIENTS, businesses=len(doors), requests_per_second=round(ours, 1),
        static_requests_per_second=round(base, 1), p50_ms=round(statistics.median(times) * 1000, 1),
        p95_ms=round(p95(times) * 1000, 1), static_p95_ms=round(p95(base_times) * 1000, 1),
        page_bytes=size, static_bytes=base_size))
    return records
