"""The dashboard's figures, each one GROUP BY in SQL returning n, Σx and Σx²; means,
intervals and post-stratification are computed from those sums (portal.surveys.scoring)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.surveys.models import (SurveyDimensionScore, SurveyDontKnow, SurveyProfileValue,
                                   SurveyResponse, SurveyTextAnswer)
from portal.surveys.scoring import Estimate, Stratum, from_sums, post_stratified


def _sums(column):
    return func.count(column), func.coalesce(func.sum(column), 0.0), \
        func.coalesce(func.sum(column * column), 0.0)


@dataclass(frozen=True)
class Overview:
    overall: Estimate
    weighted: Estimate
    by_district: dict[str | None, Estimate]
    responses: int
    demo: bool


def overview(session: Session, key: str, populations: dict[str, int]) -> Overview:
    rows = session.execute(
        select(SurveyResponse.district_adcode, *_sums(SurveyResponse.score))
        .where(SurveyResponse.survey_key == key, SurveyResponse.score.is_not(None))
        .group_by(SurveyResponse.district_adcode)).all()
    n = sum(r[1] for r in rows)
    total = sum(r[2] for r in rows)
    squares = sum(r[3] for r in rows)
    strata = [Stratum(populations.get(d or "", 0), c, t, q) for d, c, t, q in rows]
    count, demo = session.execute(
        select(func.count(), func.max(case((SurveyResponse.is_demo.is_(True), 1), else_=0)))
        .where(SurveyResponse.survey_key == key)).one()
    return Overview(from_sums(n, total, squares), post_stratified(strata),
                    {d: from_sums(c, t, q) for d, c, t, q in rows}, int(count or 0), bool(demo))


def dimensions(session: Session, key: str) -> dict[str, Estimate]:
    rows = session.execute(
        select(SurveyDimensionScore.dimension, *_sums(SurveyDimensionScore.score))
        .where(SurveyDimensionScore.survey_key == key)
        .group_by(SurveyDimensionScore.dimension)).all()
    return {d: from_sums(c, t, q) for d, c, t, q in rows}


def dont_know(session: Session, key: str) -> dict[str, int]:
    """question id -> how many respondents answered 不了解/说不清 (not in any score)."""
    rows = session.execute(
        select(SurveyDontKnow.question_id, func.count())
        .where(SurveyDontKnow.survey_key == key)
        .group_by(SurveyDontKnow.question_id)).all()
    return {q: int(n) for q, n in rows}


@dataclass(frozen=True)
class DontKnowRow:
    question_id: str
    text: str
    dimension: str
    count: int
    share: float | None        # of all responses (everyone is asked every question), %


def dont_know_rows(survey, counts: dict[str, int], responses: int) -> list[DontKnowRow]:
    """Every rating question with its 不了解/说不清 count, in questionnaire order."""
    return [DontKnowRow(q.id, q.text, q.dimension, counts.get(q.id, 0),
                        100 * counts.get(q.id, 0) / responses if responses else None)
            for q in survey.questions if q.type == "scale5"]


def dont_know_by_dimension(survey, counts: dict[str, int]) -> dict[str, int]:
    """dimension id -> 不了解/说不清 answers given to its questions (人次)."""
    totals = {d.id: 0 for d in survey.scoring.dimensions}
    for q in survey.questions:
        if q.type == "scale5":
            totals[q.dimension] += counts.get(q.id, 0)
    return totals


def by_profile(session: Session, key: str, field: str) -> dict[str, Estimate]:
    rows = session.execute(
        select(SurveyProfileValue.value, *_sums(SurveyProfileValue.score))
        .where(SurveyProfileValue.survey_key == key, SurveyProfileValue.field == field,
               SurveyProfileValue.score.is_not(None))
        .group_by(SurveyProfileValue.value)).all()
    return {v: from_sums(c, t, q) for v, c, t, q in rows}


def by_month(session: Session, key: str) -> dict[str, tuple[int, float, float]]:
    """month -> (n, Σx, Σx²): sums, so that quarters can be added up exactly."""
    rows = session.execute(
        select(SurveyResponse.month, *_sums(SurveyResponse.score))
        .where(SurveyResponse.survey_key == key, SurveyResponse.score.is_not(None))
        .group_by(SurveyResponse.month).order_by(SurveyResponse.month)).all()
    return {m: (int(c), float(t), float(q)) for m, c, t, q in rows}


def monthly(sums: dict[str, tuple[int, float, float]]) -> dict[str, Estimate]:
    return {m: from_sums(*v) for m, v in sums.items()}


def quarterly(sums: dict[str, tuple[int, float, float]]) -> dict[str, Estimate]:
    quarters: dict[str, list[float]] = {}
    for month, (n, total, squares) in sums.items():
        year, m = month.split("-")
        acc = quarters.setdefault(f"{year}年第{(int(m) - 1) // 3 + 1}季度", [0, 0.0, 0.0])
        acc[0] += n
        acc[1] += total
        acc[2] += squares
    return {q: from_sums(int(n), t, sq) for q, (n, t, sq) in quarters.items()}


def text_answers(session: Session, key: str, keyword: str = "", limit: int = 200,
                 since: date | None = None) -> tuple[int, list[tuple[date, str]]]:
    from portal.validation import clean_query

    query = select(SurveyTextAnswer.submitted_on, SurveyTextAnswer.text).where(
        SurveyTextAnswer.survey_key == key)
    q = clean_query(keyword, 30)
    if q:
        query = query.where(SurveyTextAnswer.text.contains(q, autoescape=True))
    if since:
        query = query.where(SurveyTextAnswer.submitted_on >= since)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(SurveyTextAnswer.submitted_on.desc(),
                                          SurveyTextAnswer.id.desc()).limit(limit)).all()
    return total, [tuple(r) for r in rows]
