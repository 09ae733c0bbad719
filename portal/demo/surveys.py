"""Demo survey responses: spread over the survey period up to today, small districts
deliberately over-sampled (as a quota survey does: 200 per county), so that weighting by
population visibly matters; a few free-text answers, some with a phone number to mask."""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import numpy as np
from sqlalchemy import select

from portal.db import bulk_insert
from portal.surveys.definition import load_survey
from portal.surveys.models import (SurveyDimensionScore, SurveyDontKnow, SurveyProfileValue,
                                   SurveyResponse, SurveyTextAnswer)
from portal.surveys.scoring import dimension_scores, dont_know_answers, item_scores, total_score
from portal.personal import mask_personal

TEXTS = ["农贸市场的蔬菜农药残留让人担心，希望多抽检", "学校食堂要坚持明厨亮灶，家长可以在线看",
         "外卖平台上的小店卫生差，希望加强网络订餐监管", "路边摊和小作坊无证经营比较多",
         "希望抽检结果公布得更及时，查询更方便", "超市里有过期食品还在卖，投诉后处理很快",
         "保健食品虚假宣传多，老人容易上当", "儿童食品的标签看不懂，添加剂太多",
         "我举报过一家店，电话13912345678，一直没人回复", "夜市烧烤油烟大，担心地沟油"]
# How often a rating question is answered 不了解/说不清: most often where few have first-hand
# experience (health foods, enforcement, complaint handling).
DONT_KNOW = {"q_health": 0.15, "q_enforcement": 0.08, "q_complaints": 0.12, "q_children": 0.06}


def generate_surveys(session, ctx) -> int:
    count = ctx.counts.get("survey_responses", 0)
    survey = load_survey("food_safety_2026")
    start = max(survey.period.from_, ctx.today - timedelta(days=330))
    end = min(survey.period.to, ctx.today)
    if count == 0 or end < start:
        return 0
    rng = ctx.rng
    districts = [d.adcode for d in ctx.profile.districts]
    # Equal quotas per district (not proportional to population), as quota surveys do.
    district_pick = rng.integers(0, len(districts), count)
    district_effect = {d: float(rng.normal(0, 0.25)) for d in districts}
    ages = next(p for p in survey.profile if p.id == "age_group").options
    roles = next(p for p in survey.profile if p.id == "role").options
    scale_questions = [q for q in survey.questions if q.type == "scale5"]
    days = (end - start).days + 1
    responses, plans = [], []
    for i in range(count):
        district = districts[int(district_pick[i])]
        area = "城镇" if rng.random() < 0.5 else "农村"
        day = start + timedelta(days=int(rng.integers(0, days)))
        trend = 0.25 * (day - start).days / max(days, 1)       # slowly improving
        base = 4.25 + district_effect[district] + trend - (0.2 if area == "农村" else 0)
        answers = {}
        for q in scale_questions:
            if not q.required and rng.random() < 0.3:
                continue
            if rng.random() < DONT_KNOW.get(q.id, 0.02):
                answers[q.id] = survey.dont_know
                continue
            answers[q.id] = int(np.clip(round(rng.normal(base, 0.8)), 1, 5))
        answers["q_heard"] = str(rng.choice(["参加过", "听说过但没参加", "没听说过"], p=[0.1, 0.4, 0.5]))
        answers["q_worries"] = sorted({str(w) for w in rng.choice(
            ["农药兽药残留", "添加剂超标", "假冒伪劣", "餐饮卫生", "过期食品", "网络订餐"], size=2)})
        if rng.random() < 0.15:
            answers["q_open"] = mask_personal(TEXTS[int(rng.integers(0, len(TEXTS)))])
        profile = {"district": district, "area": area,
                   "age_group": ages[int(rng.integers(1, len(ages)))],
                   "role": roles[int(rng.integers(0, len(roles)))]}
        dims = dimension_scores(survey, answers)
        score = total_score(survey, dims)
        moment = datetime.combine(day, time(int(rng.integers(0, 14)), int(rng.integers(0, 60))))
        respondent = f"demo-{ctx.profile.adcode}-{i}"
        responses.append({"survey_key": survey.key, "version": survey.version,
                          "respondent_hash": respondent, "submitted_at": moment,
                          "submitted_on": day, "month": day.isoformat()[:7],
                          "district_adcode": district, "score": score,
                          "answers": json.dumps({"profile": profile, "answers": answers}, ensure_ascii=False),
                          "is_demo": True})
        plans.append((respondent, {**dims, **item_scores(survey, answers)}, profile,
                      answers.get("q_open"), score, day, dont_know_answers(survey, answers)))
    bulk_insert(session, SurveyResponse.__table__, responses)
    ids = dict(session.execute(select(SurveyResponse.respondent_hash, SurveyResponse.id).where(
        SurveyResponse.survey_key == survey.key, SurveyResponse.is_demo.is_(True))).all())
    dims_rows, profile_rows, text_rows, unknown_rows = [], [], [], []
    for respondent, dims, profile, text, score, day, unknown in plans:
        rid = ids[respondent]
        dims_rows += [{"response_id": rid, "dimension": d, "survey_key": survey.key, "score": v}
                      for d, v in dims.items()]
        profile_rows += [{"response_id": rid, "field": f, "survey_key": survey.key, "value": v,
                          "score": score} for f, v in profile.items()]
        if text:
            text_rows.append({"response_id": rid, "survey_key": survey.key, "question_id": "q_open",
                              "text": text, "submitted_on": day, "is_demo": True})
        unknown_rows += [{"response_id": rid, "question_id": q, "survey_key": survey.key} for q in unknown]
    bulk_insert(session, SurveyDimensionScore.__table__, dims_rows)
    bulk_insert(session, SurveyProfileValue.__table__, profile_rows)
    bulk_insert(session, SurveyTextAnswer.__table__, text_rows)
    bulk_insert(session, SurveyDontKnow.__table__, unknown_rows)
    return len(responses)
