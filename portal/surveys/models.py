"""Survey responses. The raw answers are kept as JSON (for re-scoring and export); the
scores and the profile are also stored in narrow tables so that every figure on the
dashboard is one GROUP BY in SQL. `survey_key` names the survey and its period."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.timeutil import utcnow


class SurveyResponse(Base):
    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_key", "respondent_hash", name="uq_survey_responses_one_per_person"),
        # One response per browser and period: the keyed hash of the browser's signed token
        # (portal.browser_token). NULL only for a phone-verified response from a browser that
        # keeps no cookies (NULLs never collide), and for demo rows.
        UniqueConstraint("survey_key", "browser_hash", name="uq_survey_responses_one_per_browser"),
        Index("ix_survey_responses_key_district", "survey_key", "district_adcode", "score"),
        Index("ix_survey_responses_key_month", "survey_key", "month", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_key: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(20))
    respondent_hash: Mapped[str] = mapped_column(String(64))
    browser_hash: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_on: Mapped[date] = mapped_column(Date)
    month: Mapped[str] = mapped_column(String(7))             # 2026-11 (local)
    district_adcode: Mapped[str | None] = mapped_column(String(6))
    score: Mapped[float | None] = mapped_column(Float)        # 0–100, None if no scored answer
    answers: Mapped[str] = mapped_column(Text)                # JSON {question id: answer}
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyDimensionScore(Base):
    __tablename__ = "survey_dimension_scores"
    __table_args__ = (Index("ix_survey_dimension_scores_key", "survey_key", "dimension", "score"),)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(30), primary_key=True)
    survey_key: Mapped[str] = mapped_column(String(60))
    score: Mapped[float] = mapped_column(Float)


class SurveyProfileValue(Base):
    """One profile answer of a response, with the response's score beside it."""
    __tablename__ = "survey_profile_values"
    __table_args__ = (Index("ix_survey_profile_values_key", "survey_key", "field", "value", "score"),)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(30), primary_key=True)
    survey_key: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(60))
    score: Mapped[float | None] = mapped_column(Float)


class SurveyTextAnswer(Base):
    """A free-text answer, stored with phone and ID numbers already masked."""
    __tablename__ = "survey_text_answers"
    __table_args__ = (Index("ix_survey_text_answers_key_day", "survey_key", "submitted_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"),
                                             index=True)
    survey_key: Mapped[str] = mapped_column(String(60))
    question_id: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    submitted_on: Mapped[date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyDontKnow(Base):
    """A rating question answered 不了解/说不清: counted on its own, left out of every score."""
    __tablename__ = "survey_dont_know"
    __table_args__ = (Index("ix_survey_dont_know_key", "survey_key", "question_id"),)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(30), primary_key=True)
    survey_key: Mapped[str] = mapped_column(String(60))
