"""`python -m pytest -m security` must collect every test SECURITY_TESTS (tests/conftest.py)
names. The check runs pytest's own `-m security` selection in a child process over the files
named, with a small plugin that records what `-m` deselected: a named test among them, or an
entry that names no test at all, fails here. (Matching node ids by their last "/"-separated
part once dropped a quarter of the suite: parametrised ids such as `[/complaints]` contain "/".)"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SECURITY_TESTS, is_security_test, security_key

pytestmark = pytest.mark.security


def test_every_named_security_test_is_collected_by_the_marker(tmp_path):
    files = sorted({entry.partition("::")[0] for entry in SECURITY_TESTS} - {Path(__file__).name})
    log = tmp_path / "deselected.txt"
    log.touch()
    env = {**os.environ, "PORTAL_DESELECTED_LOG": str(log),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "tests"), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "security", "-n", "0", "-p", "helpers.deselected",
         "-p", "no:cacheprovider", *(f"tests/{name}" for name in files)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    selected = [line for line in run.stdout.splitlines() if "::" in line]
    deselected = log.read_text(encoding="utf-8").splitlines()

    missed = [nodeid for nodeid in deselected if is_security_test(nodeid)]
    assert not missed, f"named in SECURITY_TESTS but not marked security: {missed}"
    keys = {security_key(nodeid) for nodeid in selected + deselected}
    unused = [entry for entry in SECURITY_TESTS if entry != Path(__file__).name
              and not any(key == entry or key.startswith(f"{entry}::") for key in keys)]
    assert not unused, f"SECURITY_TESTS entries that name no test: {unused}"
    assert len(selected) >= 200, len(selected)   # 204 on SQLite alone when this was written
