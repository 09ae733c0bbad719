"""Taking a response: every answer checked against the definition on the server, one
response per person and period and one per browser and period (unique constraints), scores
stored beside the answers, 不了解/说不清 answers counted apart from them."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import ratelimit
from portal.personal import keyed_hash
from portal.surveys.definition import Survey
from portal.surveys.models import (SurveyDimensionScore, SurveyDontKnow, SurveyProfileValue,
                                   SurveyResponse, SurveyTextAnswer)
from portal.surveys.scoring import dimension_scores, dont_know_answers, item_scores, total_score
from portal.personal import mask_personal
from portal.timeutil import to_local, utcnow
from portal.validation import InputError, Message, clean_text, message_of

PER_ADDRESS_PER_DAY = 30
HASH = re.compile(r"[0-9a-f]{64}")
ALREADY_BROWSER = Message("这个浏览器已经提交过本期问卷了，谢谢您的参与！每个浏览器每期只能提交一次。")
ALREADY_PERSON = Message("您已经参加过本期调查了，谢谢！每人每期只能提交一次。")


@dataclass(frozen=True)
class Respondent:
    """Who answers: the keyed hash of a verified phone number (when the survey asks for one,
    or when the browser keeps no cookies) and the keyed hash of the browser's signed token
    (portal.browser_token.token_hash; None when the browser keeps no cookies)."""
    phone_hash: str | None = None
    browser_hash: str | None = None


def answered_here(session: Session, survey: Survey, browser_hash: str | None) -> bool:
    """Has this browser already answered this survey's period?"""
    return bool(browser_hash) and session.scalar(
        select(SurveyResponse.id).where(SurveyResponse.survey_key == survey.key,
                                        SurveyResponse.browser_hash == browser_hash)) is not None


def _identity(survey: Survey, respondent: Respondent) -> str:
    """The hash that keeps one response per person: the verified phone, else the browser.
    Neither may be blank or made up: only 64-hex keyed hashes pass."""
    for value in (respondent.phone_hash, respondent.browser_hash):
        if value is not None and not HASH.fullmatch(value):
            raise ValueError("respondent hashes are 64 hex characters")
    if survey.verify_phone and not respondent.phone_hash:
        raise InputError({"phone": Message("请先验证手机号")})
    if not (respondent.phone_hash or respondent.browser_hash):
        raise InputError({"phone": Message("无法确认这个浏览器是否已经提交过，请先验证手机号")})
    return respondent.phone_hash or respondent.browser_hash


def check_answers(survey: Survey, districts: set[str], profile: dict, answers: dict) -> tuple[dict, dict]:
    """Clean profile and answers, or InputError naming every problem (by question id)."""
    errors: dict[str, str] = {}
    known = {q.id for q in survey.questions}
    for qid in answers:
        if qid not in known:
            errors[qid] = Message("问卷中没有这道题")
    for pid in profile:
        if pid not in {p.id for p in survey.profile}:
            errors[pid] = Message("问卷中没有这一项")
    clean_profile: dict[str, str] = {}
    for field in survey.profile:
        value = profile.get(field.id)
        if value in (None, ""):
            if field.required:
                errors[field.id] = Message("请选择{label}", label=field.label)
            continue
        allowed = districts if field.type == "district" else set(field.options)
        if value not in allowed:
            errors[field.id] = Message("“{label}”请从选项中选择", label=field.label)
        else:
            clean_profile[field.id] = value
    clean: dict = {}
    for q in survey.questions:
        value = answers.get(q.id)
        if value in (None, "", []):
            if q.required:
                errors[q.id] = Message("这道题必答")
            continue
        if q.type == "scale5":
            if value == survey.dont_know:
                clean[q.id] = value
            elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                errors[q.id] = Message("请在 1 到 5 之间选择")
            else:
                clean[q.id] = value
        elif q.type == "single":
            if value not in q.options:
                errors[q.id] = Message("请从选项中选择")
            else:
                clean[q.id] = value
        elif q.type == "multi":
            if not isinstance(value, list) or any(v not in q.options for v in value):
                errors[q.id] = Message("请从选项中选择")
            else:
                clean[q.id] = list(dict.fromkeys(value))
        else:
            try:
                clean[q.id] = mask_personal(clean_text(value, "这道题", max_len=q.max_len, multiline=True))
            except ValueError as exc:
                errors[q.id] = message_of(exc)
    if errors:
        raise InputError(errors)
    return clean_profile, clean


def submit(session: Session, secret: str, survey: Survey, districts: set[str], profile: dict,
           answers: dict, respondent: Respondent, address: str, now: datetime | None = None,
           is_demo: bool = False) -> SurveyResponse:
    """One response from `respondent` (see Respondent), refused if that person or browser
    has already answered this period."""
    now = now or utcnow()
    identity = _identity(survey, respondent)
    today = to_local(now).date()
    if not survey.open_on(today):
        raise InputError({"survey": Message("本次调查的时间是 {start} 至 {end}，现在不在调查期内",
                                            start=survey.period.from_, end=survey.period.to)})
    clean_profile, clean = check_answers(survey, districts, profile, answers)
    if not ratelimit.take(session, f"survey:{survey.id}", keyed_hash(secret, "address", address),
                          today.isoformat(), PER_ADDRESS_PER_DAY):
        raise InputError({"limit": Message("您所在的网络今天提交的问卷太多了，请明天再来")})
    dims = dimension_scores(survey, clean)
    score = total_score(survey, dims)
    response = SurveyResponse(
        survey_key=survey.key, version=survey.version, respondent_hash=identity,
        browser_hash=respondent.browser_hash,
        submitted_at=now, submitted_on=today, month=today.isoformat()[:7],
        district_adcode=clean_profile.get("district"), score=score,
        answers=json.dumps({"profile": clean_profile, "answers": clean}, ensure_ascii=False),
        is_demo=is_demo)
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
    except IntegrityError:
        here = answered_here(session, survey, respondent.browser_hash)
        raise InputError({"survey": ALREADY_BROWSER if here else ALREADY_PERSON}) from None
    session.add_all(SurveyDimensionScore(response_id=response.id, dimension=d, survey_key=survey.key,
                                         score=v) for d, v in {**dims, **item_scores(survey, clean)}.items())
    session.add_all(SurveyProfileValue(response_id=response.id, field=f, survey_key=survey.key,
                                       value=v, score=score) for f, v in clean_profile.items())
    session.add_all(SurveyTextAnswer(response_id=response.id, survey_key=survey.key, question_id=q,
                                     text=v, submitted_on=today, is_demo=is_demo)
                    for q, v in clean.items() if survey.question(q).type == "text")
    session.add_all(SurveyDontKnow(response_id=response.id, question_id=q, survey_key=survey.key)
                    for q in dont_know_answers(survey, clean))
    return response
