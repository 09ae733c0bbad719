"""Scores from answers, and the statistics of scores (mean, 95 % confidence interval,
post-stratified mean), all written out so they can be checked by hand."""
from __future__ import annotations

import math
from dataclasses import dataclass

from portal.surveys.definition import Survey

Z95 = 1.959964


def _rated(survey: Survey, answers: dict):
    """(question, points) of each rating answered on the scale: 不了解/说不清 and unanswered
    questions give no points, so they leave the score as if the question were not asked."""
    points = survey.scoring.points
    for question in survey.questions:
        level = survey.rating(answers.get(question.id)) if question.type == "scale5" else None
        if level is not None:
            yield question, points[str(level)]


def dimension_scores(survey: Survey, answers: dict) -> dict[str, float]:
    """Each dimension: the mean points of its five-point questions answered on the scale."""
    collected: dict[str, list[float]] = {}
    for question, value in _rated(survey, answers):
        collected.setdefault(question.dimension, []).append(value)
    return {d: sum(v) / len(v) for d, v in collected.items()}


def item_scores(survey: Survey, answers: dict) -> dict[str, float]:
    """Items reported on their own (e.g. satisfaction with complaint handling), keyed
    item:<question id>, stored beside the dimensions."""
    return {f"item:{q.id}": value for q, value in _rated(survey, answers) if q.report}


def dont_know_answers(survey: Survey, answers: dict) -> list[str]:
    """The rating questions answered 不了解/说不清 (counted on their own)."""
    return [q.id for q in survey.questions
            if q.type == "scale5" and answers.get(q.id) == survey.dont_know]


def total_score(survey: Survey, dims: dict[str, float]) -> float | None:
    """Weighted by the dimension weights, renormalised over the answered dimensions."""
    weights = {d.id: d.weight for d in survey.scoring.dimensions if d.id in dims}
    if not weights:
        return None
    return sum(dims[d] * w for d, w in weights.items()) / sum(weights.values())


@dataclass(frozen=True)
class Estimate:
    n: int
    mean: float | None
    half_width: float | None     # of the 95 % interval; None with fewer than two answers

    @property
    def low(self) -> float | None:
        return None if self.half_width is None else max(0.0, self.mean - self.half_width)

    @property
    def high(self) -> float | None:
        return None if self.half_width is None else min(100.0, self.mean + self.half_width)


def from_sums(n: int, total: float, squares: float) -> Estimate:
    """Mean and normal-approximation 95 % interval from n, Σx and Σx² (what SQL returns):
    s² = (Σx² − n·mean²) / (n − 1); interval = mean ± 1.96·s/√n."""
    if n == 0:
        return Estimate(0, None, None)
    mean = total / n
    if n == 1:
        return Estimate(1, mean, None)
    variance = max(0.0, (squares - n * mean * mean) / (n - 1))
    return Estimate(n, mean, Z95 * math.sqrt(variance / n))


@dataclass(frozen=True)
class Stratum:
    population: int
    n: int
    total: float
    squares: float


def post_stratified(strata: list[Stratum]) -> Estimate:
    """Weighting by population share (post-stratification by district): mean = Σ W_h·ȳ_h,
    variance = Σ W_h²·s_h²/n_h, with W_h the share of the population living in stratum h
    among the strata that have answers. A stratum with one answer contributes no variance
    term (s_h is unknown), which the page says."""
    used = [s for s in strata if s.n > 0 and s.population > 0]
    if not used:
        return Estimate(0, None, None)
    population = sum(s.population for s in used)
    mean, variance = 0.0, 0.0
    for s in used:
        share = s.population / population
        stratum_mean = s.total / s.n
        mean += share * stratum_mean
        if s.n > 1:
            s2 = max(0.0, (s.squares - s.n * stratum_mean ** 2) / (s.n - 1))
            variance += share ** 2 * s2 / s.n
    return Estimate(sum(s.n for s in used), mean, Z95 * math.sqrt(variance))
