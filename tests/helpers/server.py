"""A portal server of the tests' own, served by `streamlit run streamlit_app.py` as in
production, on a free port."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_portal(env: dict, port: int, seconds: float = 90,
                 options: tuple[str, ...] = ()) -> subprocess.Popen:
    """The server process, once it answers its health check (killed if it never does).
    options: more command-line options, e.g. a secrets file."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", *options],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("portal did not start")


@contextmanager
def running_portal(var_dir: Path, database_file: Path | None = None,
                   options: tuple[str, ...] = ()):
    """The demo portal on this database file (default: portal.sqlite3 in var_dir) and var/
    folder; yields its base URL once healthy."""
    port = free_port()
    env = {**os.environ, "PORTAL_VAR_DIR": str(var_dir), "PORTAL_DEMO": "1",
           "PORTAL_DATABASE_URL": f"sqlite:///{database_file or Path(var_dir) / 'portal.sqlite3'}"}
    env.pop("PORTAL_JURISDICTION", None)
    proc = start_portal(env, port, options=options)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
