"""Surveys: scoring on hand-computed examples (weights, intervals, post-stratification),
validation of answers against the definition, one response per person, statistics in SQL."""
import math
from datetime import date

import pytest

from portal.surveys import responses, stats
from portal.surveys.definition import load_survey
from portal.surveys.scoring import (Stratum, dimension_scores, from_sums, post_stratified,
                                    total_score)
from portal.surveys.textmask import mask_personal, top_terms
from portal.validation import InputError

SURVEY = load_survey("food_safety_2026")
DISTRICTS = {"430802", "430811", "430821", "430822"}


def full_answers(level=4, **overrides):
    answers = {q.id: level for q in SURVEY.questions if q.type == "scale5"}
    answers.update(overrides)
    return answers


PROFILE = {"district": "430802", "area": "城镇", "age_group": "30–44岁"}


def test_scores_by_hand():
    # situation: 5,4,3 -> (100+80+60)/3 = 80; regulation: 4,4,2 -> (80+80+40)/3 = 66.67
    # knowledge: 5,5 -> 100; food_groups: 3 answered of 5 (4,4,4) -> 80; change: not answered.
    answers = {"q_overall": 5, "q_dining": 4, "q_market": 3, "q_publicity": 4, "q_enforcement": 4,
               "q_complaints": 2, "q_knowledge": 5, "q_confidence": 5, "q_grain": 4,
               "q_produce": 4, "q_animal": 4}
    dims = dimension_scores(SURVEY, answers)
    assert dims == pytest.approx({"situation": 80, "regulation": 200 / 3, "knowledge": 100,
                                  "food_groups": 80})
    # Weights .25 .25 .15 .2 renormalised over 0.85 (change unanswered):
    # (80*.25 + 66.667*.25 + 100*.15 + 80*.2) / .85 = (20 + 16.667 + 15 + 16) / .85 = 79.608
    assert total_score(SURVEY, dims) == pytest.approx(67.6667 / 0.85, abs=1e-3)


def test_interval_by_hand():
    # Scores 60, 80, 100: mean 80, s = 20, half width 1.96*20/sqrt(3) = 22.632
    est = from_sums(3, 240, 60 ** 2 + 80 ** 2 + 100 ** 2)
    assert est.mean == 80 and est.half_width == pytest.approx(1.959964 * 20 / math.sqrt(3))
    assert from_sums(1, 70, 4900).low is None and from_sums(0, 0, 0).mean is None


def test_post_stratification_by_hand():
    # District A: 3 answers 60, 80, 100 (mean 80, s² 400), population 300,000.
    # District B: 2 answers 40, 60 (mean 50, s² 200), population 100,000.
    # Unweighted: (240 + 100) / 5 = 68. Weighted: .75*80 + .25*50 = 72.5.
    # Variance: .75²*400/3 + .25²*200/2 = 75 + 6.25 = 81.25 -> half width 1.96*9.0139 = 17.667
    a = Stratum(300_000, 3, 240, 60 ** 2 + 80 ** 2 + 100 ** 2)
    b = Stratum(100_000, 2, 100, 40 ** 2 + 60 ** 2)
    weighted = post_stratified([a, b])
    assert weighted.mean == pytest.approx(72.5)
    assert weighted.half_width == pytest.approx(1.959964 * math.sqrt(81.25))
    assert from_sums(5, 340, 60 ** 2 + 80 ** 2 + 100 ** 2 + 40 ** 2 + 60 ** 2).mean == 68


@pytest.mark.parametrize("answers,profile,field,message", [
    (full_answers(q_overall=None), PROFILE, "q_overall", "必答"),
    (full_answers(q_overall=6), PROFILE, "q_overall", "1 到 5"),
    (full_answers(q_overall="5"), PROFILE, "q_overall", "1 到 5"),
    (full_answers(q_fake=3), PROFILE, "q_fake", "没有这道题"),
    (full_answers(q_heard="也许"), PROFILE, "q_heard", "选项"),
    (full_answers(q_worries=["假冒伪劣", "外星人"]), PROFILE, "q_worries", "选项"),
    (full_answers(q_open="长" * 501), PROFILE, "q_open", "最多 500"),
    (full_answers(), {**PROFILE, "district": "110101"}, "district", "选项"),
    (full_answers(), {"area": "城镇", "age_group": "30–44岁"}, "district", "请选择"),
])
def test_bad_answers_are_refused(answers, profile, field, message):
    answers = {k: v for k, v in answers.items() if v is not None}
    with pytest.raises(InputError) as exc:
        responses.check_answers(SURVEY, DISTRICTS, profile, answers)
    assert message in exc.value.errors[field]


def test_personal_data_masked_in_text():
    text = "我的电话13812345678，身份证430802199001011234，请回电 139-1234-5678"
    masked = mask_personal(text)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "430802********1234" in masked and "139****5678" in masked


def test_top_terms_with_jieba():
    terms = dict(top_terms(["农贸市场的蔬菜农药残留让人担心", "希望加大农贸市场抽检力度",
                            "外卖餐饮卫生差，农药残留"]))
    assert terms["农贸市场"] == 2 and terms["农药残留"] == 2 and "的" not in terms


def _submit(portal, who, answers=None, profile=PROFILE, when=None):
    from datetime import datetime

    with portal.db.write() as session:
        return responses.submit(session, portal.settings.secret_key, SURVEY, DISTRICTS, profile,
                                answers or full_answers(), who, "10.0.0.1",
                                now=when or datetime(2026, 6, 1, 4))


def test_one_response_per_person_and_sql_statistics(portal):
    _submit(portal, "a", full_answers(5, q_open="电话13812345678，菜市场卫生要改善"))
    _submit(portal, "b", full_answers(3), {**PROFILE, "district": "430811", "area": "农村"})
    _submit(portal, "c", full_answers(4), {**PROFILE, "district": "430811", "area": "农村"})
    with pytest.raises(InputError) as exc:
        _submit(portal, "a")
    assert "已经参加过" in str(exc.value)
    populations = {"430802": 300_000, "430811": 100_000}
    with portal.db.read() as session:
        ov = stats.overview(session, SURVEY.key, populations)
        assert (ov.overall.n, ov.overall.mean) == (3, pytest.approx((100 + 60 + 80) / 3))
        # Weighted: .75 * 100 + .25 * mean(60, 80) = 92.5
        assert ov.weighted.mean == pytest.approx(92.5)
        dims = stats.dimensions(session, SURVEY.key)
        assert dims["situation"].mean == pytest.approx(80) and dims["situation"].n == 3
        area = stats.by_profile(session, SURVEY.key, "area")
        assert area["农村"].mean == pytest.approx(70) and area["城镇"].n == 1
        months = stats.by_month(session, SURVEY.key)
        assert list(months) == ["2026-06"]
        assert stats.quarterly(months)["2026年第2季度"].n == 3
        total, texts = stats.text_answers(session, SURVEY.key, "卫生")
        assert total == 1 and "13812345678" not in texts[0][1] and "138****5678" in texts[0][1]


def test_outside_the_period_is_refused(portal):
    from datetime import datetime

    with pytest.raises(InputError) as exc:
        _submit(portal, "z", when=datetime(2027, 2, 1, 4))
    assert "不在调查期内" in str(exc.value)


def test_every_survey_file_loads():
    from portal.config import DATA_DIR
    for path in (DATA_DIR / "surveys").glob("*.json"):
        assert load_survey(path.stem).questions
    assert date(2026, 11, 22) >= SURVEY.period.from_
