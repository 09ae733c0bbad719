"""survey_dashboard: every default figure of the analysts' dashboard over 100,000 responses,
computed cold (no Streamlit cache), against the naive way (read every response's answers
and score them in pandas); and the page's warm rerun (AppTest)."""
from __future__ import annotations

import json
import os
import time

from benchmarks.common import demo_database, line, log, median_seconds, pg_base_url, pg_schema

N_FULL = 100_000


def _naive(db, survey, populations):
    """What a first version would do: load all answers, score in Python, group in pandas."""
    import pandas as pd

    from portal.surveys.models import SurveyResponse
    from portal.surveys.scoring import dimension_scores, total_score
    from sqlalchemy import select

    with db.read() as session:
        rows = session.execute(select(SurveyResponse.answers, SurveyResponse.month)
                               .where(SurveyResponse.survey_key == survey.key)).all()
    records = []
    for answers_json, month in rows:
        data = json.loads(answers_json)
        dims = dimension_scores(survey, data["answers"])
        records.append({**data["profile"], **dims, "score": total_score(survey, dims), "month": month})
    frame = pd.DataFrame(records)
    out = {"overall": frame["score"].agg(["count", "mean", "std"])}
    for d in survey.scoring.dimensions:
        out[d.id] = frame[d.id].agg(["count", "mean", "std"])
    for f in survey.profile:
        out[f.id] = frame.groupby(f.id)["score"].agg(["count", "mean", "std"])
    out["month"] = frame.groupby("month")["score"].agg(["count", "mean", "std"])
    return out


def _warm_rerun(url: str, tmp) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    from benchmarks.common import ROOT
    from portal.accounts import actions
    from portal.accounts.rules import cli_actor
    from portal.db import Database

    password = "Bench-analyst-1"
    with Database(url).write() as session:
        if actions.find_official(session, "bench_analyst") is None:
            actions.create_official(session, cli_actor("bench"), {
                "username": "bench_analyst", "display_name": "基准", "roles": ["analyst"],
                "password": password})
    os.environ.update({"PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": str(tmp), "PORTAL_DEMO": "0"})
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/login.py").run()
    at.text_input[0].input("bench_analyst")
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    start = time.perf_counter()
    at.switch_page("pages/survey_dashboard.py").run()
    cold = time.perf_counter() - start
    assert not at.exception, at.exception
    times = []
    for _ in range(5):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return sorted(times)[2], cold


def run(quick: bool) -> list[dict]:
    from portal.db import Database
    from portal.registry.profiles import load_profile
    from portal.surveys.dashboard import figures
    from portal.surveys.definition import load_survey

    n = N_FULL // 10 if quick else N_FULL
    counts = {"businesses": 600, "sampling_batches": 2000, "complaints": 400, "votes": 1000,
              "survey_responses": n}
    with demo_database("small", counts) as (url, tmp):
        db = Database(url)
        survey = load_survey("food_safety_2026")
        populations = {d.adcode: d.population for d in load_profile("zhangjiajie").districts}

        def ours():
            with db.read() as session:
                return figures(session, survey, populations)

        cold = median_seconds(ours)
        baseline = median_seconds(lambda: _naive(db, survey, populations), repeat=1)
        warm, page_cold = _warm_rerun(url, tmp)
        log(f"figures {cold:.3f}s, naive {baseline:.2f}s, page warm {warm:.3f}s (cold {page_cold:.2f}s)")
        records = [
            line("survey_dashboard", "figures_cold_seconds", cold, "s", n,
                 "load every response's answers, score and group in pandas", baseline,
                 "<= 0.5 s", cold <= 0.5),
            line("survey_dashboard", "page_warm_rerun_seconds", warm, "s", n,
                 "the same page's first run (figures not yet cached)", page_cold, "<= 0.2 s",
                 warm <= 0.2),
        ]
    base = pg_base_url()
    if base:
        records.append(_postgres(base, counts, n, survey, populations))
    else:
        log("PostgreSQL skipped: set PORTAL_BENCH_PG_URL (or PORTAL_TEST_DATABASE_URL)")
    return records


def _postgres(base: str, counts: dict, n: int, survey, populations) -> dict:
    from sqlalchemy import text

    from portal.bootstrap import bootstrap
    from portal.config import load_settings
    from portal.demo import generator
    from portal.surveys.dashboard import figures

    with pg_schema(base) as (url, tmp):
        portal = bootstrap(load_settings({"PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": tmp,
                                          "PORTAL_DEMO": "0"}))
        log(f"PostgreSQL: generating {n:,} responses …")
        generator.generate(portal.db, portal.profile, "small", counts=counts,
                           secret_key=portal.settings.secret_key)
        with portal.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))

        def ours():
            with portal.db.read() as session:
                return figures(session, survey, populations)

        cold = median_seconds(ours)
        baseline = median_seconds(lambda: _naive(portal.db, survey, populations), repeat=1)
        portal.db.engine.dispose()
    return line("survey_dashboard", "figures_cold_seconds", cold, "s", n,
                "load every response's answers, score and group in pandas", baseline,
                "<= 0.5 s", cold <= 0.5, database="postgresql")
