"""The portal served by `streamlit run` as in production, for browser tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_portal(var_dir: Path, database_file: Path):
    """The demo portal on this database file and var/ folder; yields its base URL once healthy."""
    port = free_port()
    env = {**os.environ, "PORTAL_VAR_DIR": str(var_dir), "PORTAL_DEMO": "1",
           "PORTAL_DATABASE_URL": f"sqlite:///{database_file}"}
    env.pop("PORTAL_JURISDICTION", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("portal did not start") from None
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
