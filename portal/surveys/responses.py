"""Taking a response: every answer checked against the definition on the server, one
response per person and period (a unique constraint), scores stored beside the answers."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import ratelimit
from portal.complaints.personal import keyed_hash
from portal.surveys.definition import Survey
from portal.surveys.models import (SurveyDimensionScore, SurveyProfileValue, SurveyResponse,
                                   SurveyTextAnswer)
from portal.surveys.scoring import dimension_scores, item_scores, total_score
from portal.surveys.textmask import mask_personal
from portal.timeutil import to_local, utcnow
from portal.validation import InputError, Message, clean_text

PER_ADDRESS_PER_DAY = 30


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
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
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
                errors[q.id] = exc.args[0] if exc.args else str(exc)
    if errors:
        raise InputError(errors)
    return clean_profile, clean


def submit(session: Session, secret: str, survey: Survey, districts: set[str], profile: dict,
           answers: dict, respondent: str, address: str, now: datetime | None = None,
           is_demo: bool = False) -> SurveyResponse:
    """`respondent` identifies the person: a verified phone's hash when the survey asks for
    verification, otherwise this browser session."""
    now = now or utcnow()
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
        survey_key=survey.key, version=survey.version, respondent_hash=respondent,
        submitted_at=now, submitted_on=today, month=today.isoformat()[:7],
        district_adcode=clean_profile.get("district"), score=score,
        answers=json.dumps({"profile": clean_profile, "answers": clean}, ensure_ascii=False),
        is_demo=is_demo)
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
    except IntegrityError:
        raise InputError({"survey": Message("您已经参加过本期调查了，谢谢！每人每期只能提交一次。")}) from None
    session.add_all(SurveyDimensionScore(response_id=response.id, dimension=d, survey_key=survey.key,
                                         score=v) for d, v in {**dims, **item_scores(survey, clean)}.items())
    session.add_all(SurveyProfileValue(response_id=response.id, field=f, survey_key=survey.key,
                                       value=v, score=score) for f, v in clean_profile.items())
    session.add_all(SurveyTextAnswer(response_id=response.id, survey_key=survey.key, question_id=q,
                                     text=v, submitted_on=today, is_demo=is_demo)
                    for q, v in clean.items() if survey.question(q).type == "text")
    return response
