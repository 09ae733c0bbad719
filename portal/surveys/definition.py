"""Survey definitions from data/surveys/*.json, checked when loaded so that a mistake in a
file is reported plainly instead of breaking the form."""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache

from pydantic import BaseModel, Field, model_validator

from portal.config import DATA_DIR

QUESTION_TYPES = ("scale5", "single", "multi", "text")


class Dimension(BaseModel):
    id: str
    label: str
    weight: float = Field(gt=0)


class Scoring(BaseModel):
    method: str
    source: str
    points: dict[str, float]
    dimensions: list[Dimension]

    @model_validator(mode="after")
    def _points(self):
        if sorted(self.points) != ["1", "2", "3", "4", "5"]:
            raise ValueError("points must give a value for each of 1..5")
        return self


class Question(BaseModel):
    id: str
    type: str
    text: str
    required: bool = False
    dimension: str | None = None
    options: list[str] = []
    max_len: int = 500
    report: bool = False      # a five-point item also reported on its own (stored as item:<id>)

    @model_validator(mode="after")
    def _shape(self):
        if self.type not in QUESTION_TYPES:
            raise ValueError(f"question {self.id}: unknown type {self.type}")
        if self.type in ("single", "multi") and not self.options:
            raise ValueError(f"question {self.id}: needs options")
        if self.type == "scale5" and not self.dimension:
            raise ValueError(f"question {self.id}: a scale question needs a dimension")
        return self


class Section(BaseModel):
    id: str
    title: str
    questions: list[Question]


class ProfileField(BaseModel):
    id: str
    label: str
    type: str                       # district / single
    options: list[str] = []
    required: bool = False


class Period(BaseModel):
    from_: date = Field(alias="from")
    to: date


class Survey(BaseModel):
    id: str
    version: str
    title: str
    intro: str
    period: Period
    target: float = 80
    verify_phone: bool = False
    scoring: Scoring
    scale: list[str]
    # Offered beside every rating (scale5) question: stored as this text, counted apart and
    # left out of every score, as third-party 满意度 surveys do.
    dont_know: str = "不了解/说不清"
    profile: list[ProfileField]
    sections: list[Section]

    @model_validator(mode="after")
    def _consistent(self):
        dims = {d.id for d in self.scoring.dimensions}
        ids = [q.id for s in self.sections for q in s.questions] + [p.id for p in self.profile]
        if len(ids) != len(set(ids)):
            raise ValueError("question and profile ids must be unique")
        for q in self.questions:
            if q.dimension and q.dimension not in dims:
                raise ValueError(f"question {q.id}: unknown dimension {q.dimension}")
        if len(self.scale) != 5:
            raise ValueError("scale needs five labels, from the lowest to the highest")
        return self

    @property
    def key(self) -> str:
        """The survey and its period: one response per person per key."""
        return f"{self.id}@{self.period.from_.isoformat()}"

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def dimension_label(self, dimension_id: str) -> str:
        return next((d.label for d in self.scoring.dimensions if d.id == dimension_id), dimension_id)

    def rating(self, value) -> int | None:
        """The points level 1..5 of a rating answer; None for 不了解/说不清 or no answer."""
        return None if value is None or value == self.dont_know else int(value)

    def open_on(self, day: date) -> bool:
        return self.period.from_ <= day <= self.period.to


@lru_cache(maxsize=8)
def load_survey(name: str = "food_safety_2026") -> Survey:
    path = DATA_DIR / "surveys" / f"{name}.json"
    return Survey.model_validate(json.loads(path.read_text(encoding="utf-8")))


def current_survey(settings) -> Survey:
    """The survey the portal runs: PORTAL_SURVEY names a file in data/surveys."""
    return load_survey(settings.survey)


def survey_texts(survey: Survey) -> list[str]:
    """Every text of a questionnaire that a respondent or reader sees, once each."""
    texts = [survey.title, survey.intro, survey.scoring.method,
             *(d.label for d in survey.scoring.dimensions), *survey.scale, survey.dont_know]
    for field in survey.profile:
        texts += [field.label, *field.options]
    for section in survey.sections:
        texts.append(section.title)
        for q in section.questions:
            texts += [q.text, *q.options]
    return list(dict.fromkeys(texts))


@lru_cache(maxsize=8)
def survey_translation(name: str, language: str) -> dict[str, str]:
    """data/surveys/<language>/<name>.json: the questionnaire's texts in another language,
    keyed by the Chinese (answers are always stored with the Chinese options)."""
    path = DATA_DIR / "surveys" / language / f"{name}.json"
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8"))["texts"])
