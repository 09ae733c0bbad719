"""sampling_import: end-to-end import of one 100,000-row announcement file (parse, validate,
write) vs pandas + openpyxl only reading the same file."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.common import line, log

N_FULL = 100_000


def run(quick: bool) -> list[dict]:
    import pandas as pd

    from portal.accounts.rules import cli_actor
    from portal.bootstrap import bootstrap
    from portal.config import load_settings
    from portal.demo.files import write_passed_announcement
    from portal.importers.sampling import import_sampling

    n = N_FULL // 10 if quick else N_FULL
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"PORTAL_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                                  "PORTAL_VAR_DIR": tmp, "PORTAL_DEMO": "0"})
        portal = bootstrap(settings)
        path = Path(tmp) / "announcement.xlsx"
        log(f"writing a {n:,}-row announcement …")
        write_passed_announcement(path, n, portal.profile)
        start = time.perf_counter()
        pd.read_excel(path, engine="openpyxl", header=None)
        baseline = time.perf_counter() - start
        log(f"pandas + openpyxl read: {baseline:.2f} s")
        data = path.read_bytes()
        start = time.perf_counter()
        with portal.db.write() as session:
            report = import_sampling(session, cli_actor("bench"), data, path.name, portal.profile)
        ours = time.perf_counter() - start
        log(f"import: {ours:.2f} s, {report.as_json() | {'errors': len(report.errors)}}")
        ok = report.imported == n and not report.errors and ours <= 0.5 * baseline
        return [line("sampling_import", "import_seconds", ours, "s", n,
                     "pandas.read_excel(engine='openpyxl') reading the same file", baseline,
                     "<= 0.5 x baseline (ratio >= 2)", ok, imported=report.imported,
                     rows_per_second=round(n / ours))]
