"""The command line as tests run it. `run_cli`: `python -m portal …` in a process of its own,
as a person runs it (the entry point, exit code and output of a real process). `call_cli`:
the same `portal.cli.main` in this process, with the same environment, standard input and
output, for the later steps of a longer session (a process costs about a second of CPU, and
a dozen of them made the CLI tests the suite's slowest)."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

from conftest import ROOT


def run_cli(args: list[str], env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)


def call_cli(args: list[str], env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    from portal.cli import main

    saved_environ, saved_stdin = dict(os.environ), sys.stdin
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exc:      # as the interpreter reports it
                code = exc.code if isinstance(exc.code, int) else 1
                if exc.code is not None and not isinstance(exc.code, int):
                    print(exc.code, file=sys.stderr)
    finally:
        os.environ.clear()
        os.environ.update(saved_environ)
        sys.stdin = saved_stdin
    return subprocess.CompletedProcess(["portal", *args], code or 0, out.getvalue(), err.getvalue())
