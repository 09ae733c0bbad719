"""Every figure the analysts' dashboard shows by default, in one call: a handful of
GROUP BY queries (the page caches the result; the benchmark times it cold)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.surveys import stats
from portal.surveys.definition import Survey


def figures(session: Session, survey: Survey, populations: dict[str, int]) -> dict:
    from portal.complaints import stats as complaint_stats

    months = stats.by_month(session, survey.key)
    return {"overview": stats.overview(session, survey.key, populations),
            "dimensions": stats.dimensions(session, survey.key),
            "dont_know": stats.dont_know(session, survey.key),
            "profiles": {f.id: stats.by_profile(session, survey.key, f.id) for f in survey.profile},
            "months": stats.monthly(months), "quarters": stats.quarterly(months),
            "comments": stats.text_answers(session, survey.key, limit=500),
            "complaints": complaint_stats.summary(session, survey.period.from_, survey.period.to)}
