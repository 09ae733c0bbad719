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
during the run weighs alike on both.

Then two portal processes behind the nginx template: the crowd comes from distinct
127.0.0.x source addresses (nginx hashes on the client address) and the run prints how the
visits split and what the pair serves beside one process.
"""
from __future__ import annotations

import asyncio
import os
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

VISITORS = 8
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


class Visit(NamedTuple):
    seconds: float      # until the script finished
    elements: int       # deltas drawn
    bytes: int          # what the server sent over the websocket


async def visit(host: str, port: int, page: str, query: str, source: str = "127.0.0.1") -> Visit:
    """One first visit: seconds until the script finished, elements drawn, bytes sent."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    start = time.perf_counter()
    async with websockets.connect(f"ws://{host}:{port}/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, local_addr=(source, 0), open_timeout=60) as ws:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = query
        state.page_name = page
        state.context_info.url = f"http://{host}:{port}/{page}" + (f"?{query}" if query else "")
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.locale = "zh-CN"
        await ws.send(message.SerializeToString())
        elements = sent = 0
        while True:
            raw = await ws.recv()
            sent += len(raw)
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "delta":
                elements += 1
            elif kind == "script_finished":
                if forward.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"/{page}?{query}: script finished with {forward.script_finished}")
                return Visit(time.perf_counter() - start, elements, sent)


async def crowd(host: str, port: int, page: str, query: str, visits: int,
                sources: list[str]) -> tuple[float, list[float]]:
    """VISITORS at once until `visits` visits are done: (visits per second, each visit's seconds)."""
    todo = list(range(visits))
    seconds: list[float] = []

    async def visitor(k: int) -> None:
        while todo:
            todo.pop()
            done = await visit(host, port, page, query, sources[(k + len(todo)) % len(sources)])
            seconds.append(done.seconds)
    start = time.perf_counter()
    await asyncio.gather(*(visitor(k) for k in range(VISITORS)))
    return visits / (time.perf_counter() - start), seconds


def _side_by_side(ports: dict, page: str, query: str, elements: int, visits: int):
    """Our page and the floor, in the order ours, floor, floor, ours (half the visits each
    time): the machine's other work drifts during a run, and that order makes a steady drift
    fall alike on both. Returns (our visits/s, each of our visits' seconds, the floor's
    visits/s)."""
    half = visits // 2
    seconds = {"ours": 0.0, "floor": 0.0}
    times: list[float] = []
    for side in ("ours", "floor", "floor", "ours"):
        port, wanted, asked = ((ports["portal"], page, query) if side == "ours"
                               else (ports["floor"], "", f"n={elements}"))
        rate, each = asyncio.run(crowd("127.0.0.1", port, wanted, asked, half, ["127.0.0.1"]))
        seconds[side] += half / rate
        if side == "ours":
            times += each
    return 2 * half / seconds["ours"], times, 2 * half / seconds["floor"]


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


def run(quick: bool) -> list[dict]:
    scale = "small" if quick else "city"
    visits = 16 if quick else 32
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
        one_process = []
        try:
            for label, page, query in pages:
                _, elements, sent = asyncio.run(visit("127.0.0.1", ports["portal"], page, query))  # warm
                asyncio.run(visit("127.0.0.1", ports["floor"], "", f"n={elements}"))
                ours, times, base = _side_by_side(ports, page, query, elements, visits)
                one_process.append(ours)
                log(f"{label}: {ours:.2f} visits/s (floor {base:.2f}), p50 {statistics.median(times):.2f} s, "
                    f"p95 {p95(times):.2f} s, {elements} elements, {sent:,} B sent")
                records.append(line(
                    "page_visits", "seconds_per_visit", 1 / ours, "s", visits,
                    f"do-nothing Streamlit page drawing the same {elements} elements, same settings",
                    1 / base, "ratio (our visits/s over the floor's) >= 0.5", ours / base >= 0.5,
                    page=label, path=f"/{page}" + (f"?{query}" if query else ""), scale=scale,
                    visitors=VISITORS, elements=elements, bytes_per_visit=sent,
                    visits_per_second=round(ours, 2),
                    floor_visits_per_second=round(base, 2),
                    p50_s=round(statistics.median(times), 3), p95_s=round(p95(times), 3)))
        finally:
            stop(portal, floor)
        records.append(_two_processes(env, tmp, pages, visits, statistics.median(one_process), scale))
    return records


def _two_processes(env: dict, tmp: Path, pages, visits: int, one: float, scale: str) -> dict:
    """Both processes behind nginx (the deploy template), visitors from 64 source addresses."""
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    ports = {"A": _port(), "B": _port(), "LISTEN": _port()}
    procs = [start_streamlit("streamlit_app.py", ROOT, env, ports[k]) for k in ("A", "B")]
    conf = tmp / "nginx.conf"
    conf.write_text(render_template((ROOT / "deploy" / "nginx.conf.template").read_text(), {
        "PREFIX": str(tmp), "PORT_A": str(ports["A"]), "PORT_B": str(ports["B"]),
        "LISTEN": str(ports["LISTEN"])}))
    nginx = subprocess.Popen([nginx_bin, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    # nginx hashes the full client address onto a ring: 64 addresses split close to evenly.
    sources = [f"127.0.0.{i}" for i in range(2, 66)]
    try:
        _wait(f"http://127.0.0.1:{ports['LISTEN']}/_stcore/health")
        rates = []
        for label, page, query in pages:
            for source in sources[:6]:      # warm both processes
                asyncio.run(visit("127.0.0.1", ports["LISTEN"], page, query, source))
            rate, _ = asyncio.run(crowd("127.0.0.1", ports["LISTEN"], page, query, visits, sources))
            rates.append(rate)
        both = statistics.median(rates)
    finally:
        stop(nginx, *procs)
    served = re.findall(r"upstream=127\.0\.0\.1:(\d+)", (tmp / "access.log").read_text())
    split = {name: served.count(str(ports[name])) for name in ("A", "B")}
    log(f"two processes: median {both:.2f} visits/s over the pages vs {one:.2f} for one; split {split}")
    return line("page_visits", "two_processes_seconds_per_visit", 1 / both, "s", visits * len(pages),
                "one process (median visits/s over the public pages)", 1 / one,
                "two processes behind nginx serve >= 1.6 x one process (ratio)", both >= 1.6 * one,
                scale=scale, visits_per_second=round(both, 2), one_process_visits_per_second=round(one, 2),
                split=split, sources=len(sources))
