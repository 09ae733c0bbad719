"""page_visits: what one page visit costs the server, as a crowd of first-time visitors makes it.

Each visit is what a browser's first load does over Streamlit's websocket (the
`streamlit.proto` BackMsg / ForwardMsg messages, no browser): open a session, ask for a page,
wait until the script has finished, close. Eight visitors at once, for every public page.

Side by side, on the same server settings (the project's own .streamlit/config.toml, as
`streamlit run streamlit_app.py` on a fresh clone), a do-nothing Streamlit page draws the same
number of elements: that is the floor, what Streamlit itself costs per visit. Each line's value
is server seconds per visit at that rate (1 / visits per second) and the baseline the floor's,
so `ratio` is our visits/s over the floor's: 1.0 would be as fast as Streamlit can go, and the
target is 0.5 at city scale. Each page's visits are made half before and half after the
floor's (ours, floor, floor, ours), so that other work on the machine that grows or fades
during the run weighs alike on both. Each line also gives the CPU milliseconds the server
process used per visit (from /proc/<pid>/stat), ours and the floor's (`cpu_ratio` is the
floor's over ours), and what the benchmark's own client used (os.times): the client is
benchmarks/st_client.py, which reads only the top-level fields of each ForwardMsg.

Then one process and two processes, each behind the deploy template's nginx, taken in turns
on every public page with a crowd of 64 visitors at once (enough to keep both processes
busy): each visit comes from an address drawn from 1,000 loopback addresses (nginx hashes the
full client address), the two processes are pinned one to each core, and the line gives
visits/s, the servers', nginx's and the client's CPU milliseconds per visit, visits per
server-CPU-second, how many cores the whole machine kept busy, and how the visits split. On 2
cores the client, nginx and the kernel share the cores with the servers (about 0.2 of a
core), so the target is 1.7 times one process, not 2: the per-CPU-second figure says whether
a second process costs more per visit; visits/s says what the pair served here.
"""
from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

from benchmarks.common import ROOT, demo_database, line, log, render_template
from benchmarks.st_client import rerun_request, visit

VISITORS = 8
# Two processes are compared with one under a crowd large enough to keep both busy (a surge
# brings thousands). A visit waits on several round trips, so a process with few visitors in
# flight idles between them: with 16 at once the two processes used 1.38 of the 2 cores and
# the machine stood a quarter idle (2026-12-01, 投诉举报: 180 visits/s; 32 at once: 195;
# 64: 214, with the machine 90 % busy), so 16 measured the crowd, not the servers.
CROWD_VISITORS = 64
SOURCES_DRAW = random.Random(17)
FLOOR_SCRIPT = '''import streamlit as st

# The floor: a page that draws n elements and does nothing else.
for i in range(int(st.query_params.get("n", "1"))):
    st.text(str(i))
'''


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, seconds: float = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def start_streamlit(script: str, cwd: Path, env: dict, port: int) -> subprocess.Popen:
    """`streamlit run SCRIPT` with nothing but the port on the command line: the settings are
    those of the folder's .streamlit/config.toml, as on a fresh clone."""
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                             "--server.address", "127.0.0.1"],
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    _wait(f"http://127.0.0.1:{port}/_stcore/health")
    return proc


def stop(*procs) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def cpu_seconds(pids) -> float:
    """User + system CPU seconds the processes (and their children, e.g. nginx's worker) have
    used so far, from /proc/<pid>/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        for one in [pid, *map(int, children)]:
            try:
                fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
    return total / tick


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, /proc/stat): with two
    processes, says whether the cores or the crowd were the limit."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


class Round(NamedTuple):
    """One crowd of visits: wall seconds, each visit's seconds, and the CPU seconds spent
    meanwhile by the servers, by nginx (if any) and by this client."""
    visits: int
    seconds: float
    times: list[float]
    server_cpu: float
    proxy_cpu: float
    client_cpu: float

    def __add__(self, other: "Round") -> "Round":
        return Round(*(a + b for a, b in zip(self, other)))

    @property
    def rate(self) -> float:
        return self.visits / self.seconds


NO_ROUND = Round(0, 0.0, [], 0.0, 0.0, 0.0)


async def _crowd(host: str, port: int, page: str, query: str, visits: int,
                 sources: list[str], visitors: int) -> tuple[float, list[float]]:
    request = rerun_request(host, port, page, query)
    todo = list(range(visits))
    seconds: list[float] = []

    async def visitor() -> None:
        while todo:
            todo.pop()
            # Each visit is a new visitor, from an address drawn from the whole list: nginx
            # sends an address always to the same process, so a few addresses would not split.
            done = await visit(host, port, page, query, SOURCES_DRAW.choice(sources), request)
            seconds.append(done.seconds)
    start = time.perf_counter()
    await asyncio.gather(*(visitor() for _ in range(visitors)))
    return time.perf_counter() - start, seconds


def crowd(port: int, page: str, query: str, visits: int, sources: list[str], servers=(),
          proxy=(), visitors: int = VISITORS) -> Round:
    """`visitors` at once until `visits` visits are done, with the CPU the server processes
    (`servers`), the proxy's (`proxy`) and this client used meanwhile."""
    before = cpu_seconds(servers), cpu_seconds(proxy), own_cpu_seconds()
    wall, times = asyncio.run(_crowd("127.0.0.1", port, page, query, visits, sources, visitors))
    after = cpu_seconds(servers), cpu_seconds(proxy), own_cpu_seconds()
    return Round(visits, wall, times, *(b - a for a, b in zip(before, after)))


def _side_by_side(ports: dict, pids: dict, page: str, query: str, elements: int, visits: int):
    """Our page and the floor, in the order ours, floor, floor, ours (half the visits each
    time): the machine's other work drifts during a run, and that order makes a steady drift
    fall alike on both. Returns (our Round, the floor's Round)."""
    half = visits // 2
    rounds = {"ours": NO_ROUND, "floor": NO_ROUND}
    for side in ("ours", "floor", "floor", "ours"):
        port, wanted, asked = ((ports["portal"], page, query) if side == "ours"
                               else (ports["floor"], "", f"n={elements}"))
        rounds[side] += crowd(port, wanted, asked, half, ["127.0.0.1"], servers=[pids[side]])
    return rounds["ours"], rounds["floor"]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def public_pages(url: str) -> list[tuple[str, str, str]]:
    """(label, page name, query string) for every public page, with a real failed batch and a
    real business of the database."""
    from sqlalchemy import create_engine, text

    from portal.sampling.models import FAILED

    engine = create_engine(url)
    with engine.connect() as conn:
        failed = conn.execute(text("SELECT id FROM sampling_batches WHERE result = :failed "
                                        "AND in_jurisdiction ORDER BY id LIMIT 1"),
                                   {"failed": FAILED}).scalar()
        business = conn.execute(text("SELECT id FROM businesses ORDER BY id LIMIT 1")).scalar()
    engine.dispose()
    return [("首页", "", ""), ("抽检结果", "sampling", ""),
            ("抽检结果 查询“猪肉”", "sampling", "q=%E7%8C%AA%E8%82%89"),
            ("抽检结果 一个不合格批次", "sampling", f"batch={failed}"),
            ("商户页面", "business", f"id={business}"), ("餐饮地图", "map", ""), ("红黑榜", "lists", ""),
            ("你点我检", "rounds", ""), ("投诉举报", "complaint", ""), ("办理公开", "complaint_stats", ""),
            ("满意度调查", "survey", "")]


def _ms(seconds: float, visits: int) -> float:
    return round(1000 * seconds / visits, 2)


def run(quick: bool) -> list[dict]:
    scale = "small" if quick else "city"
    visits = 16 if quick else 64
    records = []
    with demo_database(scale) as (url, tmp), tempfile.TemporaryDirectory() as floor_dir:
        tmp = Path(tmp)
        env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": str(tmp), "PORTAL_DEMO": "1"}
        for name in ("PORTAL_JURISDICTION", "STREAMLIT_SERVER_FILE_WATCHER_TYPE"):
            env.pop(name, None)
        floor_dir = Path(floor_dir)
        shutil.copytree(ROOT / ".streamlit", floor_dir / ".streamlit",
                        ignore=shutil.ignore_patterns("secrets.toml"))
        (floor_dir / "floor.py").write_text(FLOOR_SCRIPT)
        pages = public_pages(url)
        ports = {"portal": _port(), "floor": _port()}
        portal = start_streamlit("streamlit_app.py", ROOT, env, ports["portal"])
        floor = start_streamlit("floor.py", floor_dir, {**os.environ}, ports["floor"])
        pids = {"ours": portal.pid, "floor": floor.pid}
        try:
            for label, page, query in pages:
                _, elements, sent = asyncio.run(visit("127.0.0.1", ports["portal"], page, query))  # warm
                asyncio.run(visit("127.0.0.1", ports["floor"], "", f"n={elements}"))
                ours, base = _side_by_side(ports, pids, page, query, elements, visits)
                log(f"{label}: {ours.rate:.2f} visits/s (floor {base.rate:.2f}), p50 {statistics.median(ours.times):.2f} s, "
                    f"p95 {p95(ours.times):.2f} s, {elements} elements, {sent:,} B sent; server CPU "
                    f"{_ms(ours.server_cpu, ours.visits)} ms a visit (floor {_ms(base.server_cpu, base.visits)}), "
                    f"client {_ms(ours.client_cpu + base.client_cpu, ours.visits + base.visits)} ms")
                records.append(line(
                    "page_visits", "seconds_per_visit", 1 / ours.rate, "s", visits,
                    f"do-nothing Streamlit page drawing the same {elements} elements, same settings",
                    1 / base.rate, "ratio (our visits/s over the floor's) >= 0.5", ours.rate / base.rate >= 0.5,
                    page=label, path=f"/{page}" + (f"?{query}" if query else ""), scale=scale,
                    visitors=VISITORS, elements=elements, bytes_per_visit=sent,
                    visits_per_second=round(ours.rate, 2),
                    floor_visits_per_second=round(base.rate, 2),
                    p50_s=round(statistics.median(ours.times), 3), p95_s=round(p95(ours.times), 3),
                    server_cpu_ms_per_visit=_ms(ours.server_cpu, ours.visits),
                    floor_server_cpu_ms_per_visit=_ms(base.server_cpu, base.visits),
                    cpu_ratio=round(base.server_cpu / base.visits / (ours.server_cpu / ours.visits), 2),
                    client_cpu_ms_per_visit=_ms(ours.client_cpu + base.client_cpu, ours.visits + base.visits),
                    load_average=round(os.getloadavg()[0], 1)))
        finally:
            stop(portal, floor)
        records.append(_two_processes(env, tmp, pages, (2 if quick else 3) * CROWD_VISITORS, scale))
    return records


def _nginx(tmp: Path, name: str, port_a: int, port_b: int, listen: int) -> subprocess.Popen:
    """nginx with the deploy template; one process behind it is the template with both
    upstream lines naming the same process."""
    prefix = tmp / name
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(render_template((ROOT / "deploy" / "nginx.conf.template").read_text(), {
        "PREFIX": str(prefix), "PORT_A": str(port_a), "PORT_B": str(port_b), "LISTEN": str(listen)}))
    return subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(prefix), "-c", str(conf),
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def _pin(pid: int, cpu: int) -> bool:
    """Each portal process on a core of its own (where the machine has two): the two
    processes cannot pile onto one core while the other waits for the client."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return False
    os.sched_setaffinity(pid, {cores[cpu % len(cores)]})
    return True


def _two_processes(env: dict, tmp: Path, pages, half: int, scale: str) -> dict:
    """One process and two processes, both behind nginx with the deploy template, crowds of
    CROWD_VISITORS from many source addresses (nginx hashes the full client address), taken
    in turns per page, `half` visits a turn (one, two, two, one), so that the machine's other
    work weighs alike on both. Also the
    CPU seconds the servers, nginx and this client used per visit: on 2 cores the client and
    nginx take from what the two processes could have."""
    ports = {"A": _port(), "B": _port(), "ONE": _port(), "TWO": _port()}
    procs = {k: start_streamlit("streamlit_app.py", ROOT, env, ports[k]) for k in ("A", "B")}
    pinned = _pin(procs["A"].pid, 0) and _pin(procs["B"].pid, 1)
    nginx = {"one": _nginx(tmp, "one", ports["A"], ports["A"], ports["ONE"]),
             "two": _nginx(tmp, "two", ports["A"], ports["B"], ports["TWO"])}
    # Source addresses 127.0.{0-3}.{2-251}: enough for the consistent hash to split near its ring.
    sources = [f"127.0.{a}.{b}" for a in range(4) for b in range(2, 252)]
    servers = {"one": [procs["A"].pid], "two": [procs["A"].pid, procs["B"].pid]}
    rounds = {"one": NO_ROUND, "two": NO_ROUND}
    busy = {"one": 0.0, "two": 0.0}
    loads = [os.getloadavg()[0]]
    try:
        for which in ("ONE", "TWO"):
            _wait(f"http://127.0.0.1:{ports[which]}/_stcore/health")
        for label, page, query in pages:
            for source in sources[:12]:      # warm both processes
                asyncio.run(visit("127.0.0.1", ports["TWO"], page, query, source))
            for which in ("one", "two", "two", "one"):
                before = machine_busy_seconds()
                rounds[which] += crowd(ports[which.upper()], page, query, half, sources,
                                       servers=servers[which], proxy=[nginx[which].pid],
                                       visitors=CROWD_VISITORS)
                busy[which] += machine_busy_seconds() - before
            loads.append(os.getloadavg()[0])
    finally:
        stop(*nginx.values(), *procs.values())
    served = re.findall(r"upstream=127\.0\.0\.1:(\d+)", (tmp / "two" / "access.log").read_text())
    split = {name: served.count(str(ports[name])) for name in ("A", "B")}
    one, two = rounds["one"], rounds["two"]
    figures = {}
    for name, r in rounds.items():
        figures[name] = {"visits_per_second": round(r.rate, 2),
                         "server_cpu_ms_per_visit": _ms(r.server_cpu, r.visits),
                         "visits_per_server_cpu_second": round(r.visits / r.server_cpu, 1),
                         "nginx_cpu_ms_per_visit": _ms(r.proxy_cpu, r.visits),
                         "client_cpu_ms_per_visit": _ms(r.client_cpu, r.visits),
                         "machine_busy_cores": round(busy[name] / r.seconds, 2),
                         "p50_s": round(statistics.median(r.times), 3), "p95_s": round(p95(r.times), 3)}
        log(f"{name} process{'es' if name == 'two' else ''} behind nginx: {figures[name]}")
    log(f"split {split}; load average {min(loads):.1f}-{max(loads):.1f}; pinned: {pinned}")
    return line("page_visits", "two_processes_seconds_per_visit", 1 / two.rate, "s", two.visits,
                "one process behind the same nginx template, same pages and crowd, taken in turns",
                1 / one.rate, "two processes behind nginx serve >= 1.7 x one process (ratio)",
                two.rate >= 1.7 * one.rate, scale=scale, pages=len(pages), visitors=CROWD_VISITORS,
                one=figures["one"],
                two=figures["two"], split=split, sources=len(sources), pinned=pinned,
                cpus=os.cpu_count(), load_average=[round(min(loads), 1), round(max(loads), 1)])
