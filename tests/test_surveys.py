"""Surveys: scoring on hand-computed examples (weights, intervals, post-stratification),
validation of answers against the definition, one response per person, statistics in SQL."""
import hashlib
import math
from datetime import date

import pytest

from sqlalchemy import select

from portal.surveys import responses, stats
from portal.surveys.models import SurveyDimensionScore
from portal.surveys.definition import load_survey
from portal.surveys.scoring import (Stratum, dimension_scores, from_sums, post_stratified,
                                    total_score)
from portal.personal import mask_personal
from portal.surveys.textmask import top_terms
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


def browser(name: str) -> responses.Respondent:
    """A respondent known by a browser token (as the page has it: a 64-hex keyed hash)."""
    return responses.Respondent(browser_hash=hashlib.sha256(name.encode()).hexdigest())


def _submit(portal, who, answers=None, profile=PROFILE, when=None, survey=SURVEY):
    from datetime import datetime

    who = browser(who) if isinstance(who, str) else who
    with portal.db.write() as session:
        return responses.submit(session, portal.settings.secret_key, survey, DISTRICTS, profile,
                                answers or full_answers(), who, "10.0.0.1",
                                now=when or datetime(2026, 6, 1, 4)).id


def test_one_response_per_person_and_sql_statistics(portal):
    _submit(portal, "a", full_answers(5, q_open="电话13812345678，菜市场卫生要改善"))
    _submit(portal, "b", full_answers(3), {**PROFILE, "district": "430811", "area": "农村"})
    _submit(portal, "c", full_answers(4), {**PROFILE, "district": "430811", "area": "农村"})
    with pytest.raises(InputError) as exc:
        _submit(portal, "a")
    assert "这个浏览器已经提交过" in str(exc.value)
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


DONT_KNOW = SURVEY.dont_know


def test_every_rating_question_offers_dont_know_in_both_languages():
    from portal.surveys.definition import survey_translation

    assert DONT_KNOW == "不了解/说不清"
    assert survey_translation("food_safety_2026", "en")[DONT_KNOW]
    answers = full_answers(**{q.id: DONT_KNOW for q in SURVEY.questions if q.type == "scale5"})
    _, clean = responses.check_answers(SURVEY, DISTRICTS, PROFILE, answers)
    assert all(clean[q.id] == DONT_KNOW for q in SURVEY.questions if q.type == "scale5")
    # Only that exact option: other words are refused, and 不了解 is not a choice elsewhere.
    for bad in ("不了解", "unknown", 0):
        with pytest.raises(InputError):
            responses.check_answers(SURVEY, DISTRICTS, PROFILE, full_answers(q_overall=bad))
    with pytest.raises(InputError):
        responses.check_answers(SURVEY, DISTRICTS, PROFILE, full_answers(q_heard=DONT_KNOW))


def test_dont_know_leaves_the_score_as_if_the_question_were_not_asked():
    base = {"q_overall": 5, "q_dining": 3, "q_market": 4, "q_publicity": 2, "q_complaints": 4,
            "q_knowledge": 5, "q_grain": 4, "q_change": 2}
    with_dk = {**base, "q_enforcement": DONT_KNOW, "q_confidence": DONT_KNOW}
    assert dimension_scores(SURVEY, with_dk) == dimension_scores(SURVEY, base)
    assert total_score(SURVEY, dimension_scores(SURVEY, with_dk)) == \
        total_score(SURVEY, dimension_scores(SURVEY, base))
    # A dimension answered only 不了解 drops out and the weights are renormalised, as for an
    # unanswered dimension: food_groups (q_grain) gone -> (80*.25+... ) over 0.8.
    only_dk = {**base, "q_grain": DONT_KNOW}
    dims = dimension_scores(SURVEY, only_dk)
    assert "food_groups" not in dims
    # situation (100+60+80)/3 = 80, regulation (40+80)/2 = 60, knowledge 100, change 40
    assert total_score(SURVEY, dims) == pytest.approx((80 * .25 + 60 * .25 + 100 * .15 + 40 * .15) / .8)
    # Every rating answered 不了解: no score at all (not a zero).
    assert total_score(SURVEY, dimension_scores(SURVEY, {q: DONT_KNOW for q in base})) is None


def test_dont_know_is_stored_counted_apart_and_does_not_change_the_score(portal):
    """Two respondents with the same ratings; one also answers 保健食品 (optional) and the
    required 查处力度 with 不了解/说不清. Compared with the same responses without those
    answers, every score and the published statistics are the same; the answers are kept and
    counted on their own."""
    import json

    from portal.surveys.models import SurveyDontKnow, SurveyResponse

    plain = full_answers(4, q_overall=5, q_dining=2, q_enforcement=3)
    plain_id = _submit(portal, "plain", plain)
    dk_id = _submit(portal, "dk", {**plain, "q_enforcement": DONT_KNOW, "q_health": DONT_KNOW})
    without_id = _submit(portal, "without", {k: v for k, v in plain.items()
                                             if k not in ("q_enforcement", "q_health")} |
                         {"q_enforcement": DONT_KNOW})
    with portal.db.read() as session:
        rows = {r.id: r for r in session.scalars(select(SurveyResponse))}
        stored = json.loads(rows[dk_id].answers)["answers"]
        assert stored["q_enforcement"] == DONT_KNOW and stored["q_health"] == DONT_KNOW
        # q_health unanswered vs 不了解: the same score.
        assert rows[dk_id].score == pytest.approx(rows[without_id].score)
        # 查处力度 不了解: regulation is the mean of 信息公开 and 投诉处理 only.
        regulation = {r.response_id: r.score for r in session.scalars(
            select(SurveyDimensionScore).where(SurveyDimensionScore.dimension == "regulation"))}
        assert regulation[dk_id] == pytest.approx(80) and regulation[plain_id] == pytest.approx(
            (80 + 60 + 80) / 3)
        assert sorted(session.scalars(select(SurveyDontKnow.question_id).where(
            SurveyDontKnow.response_id == dk_id))) == ["q_enforcement", "q_health"]
        counts = stats.dont_know(session, SURVEY.key)
        assert counts == {"q_enforcement": 2, "q_health": 1}
        assert stats.dont_know_by_dimension(SURVEY, counts)["regulation"] == 2
        assert stats.dont_know_by_dimension(SURVEY, counts)["food_groups"] == 1
        rows_dk = {r.question_id: r for r in stats.dont_know_rows(SURVEY, counts, 3)}
        assert rows_dk["q_enforcement"].share == pytest.approx(200 / 3) and rows_dk["q_overall"].count == 0
        # The dimension's n counts only the answers on the scale.
        assert stats.dimensions(session, SURVEY.key)["regulation"].n == 3
        assert stats.dimensions(session, SURVEY.key)["food_groups"].n == 3


def test_one_response_per_browser_whatever_the_phone(portal):
    import dataclasses

    phone_survey = SURVEY.model_copy(update={"verify_phone": True})
    token = browser("tab").browser_hash
    _submit(portal, responses.Respondent(phone_hash="1" * 64, browser_hash=token), survey=phone_survey)
    # Another verified phone from the same browser: refused, saying it is this browser.
    with pytest.raises(InputError) as exc:
        _submit(portal, responses.Respondent(phone_hash="2" * 64, browser_hash=token),
                survey=phone_survey)
    assert "这个浏览器已经提交过" in str(exc.value)
    # The same phone from another browser: refused as the same person.
    with pytest.raises(InputError) as exc:
        _submit(portal, responses.Respondent(phone_hash="1" * 64, browser_hash="3" * 64),
                survey=phone_survey)
    assert "您已经参加过" in str(exc.value)
    # A browser without cookies must bring a verified phone; a survey that asks for a phone
    # needs one whatever the browser; a blank or made-up token is never a key.
    with pytest.raises(InputError) as exc:
        _submit(portal, responses.Respondent())
    assert "请先验证手机号" in exc.value.errors["phone"]
    with pytest.raises(InputError):
        _submit(portal, responses.Respondent(browser_hash="4" * 64), survey=phone_survey)
    for bad in ("", " " * 64, "x" * 64, "5" * 63):
        with pytest.raises(ValueError):
            _submit(portal, responses.Respondent(browser_hash=bad))
    with pytest.raises(ValueError):
        _submit(portal, dataclasses.replace(responses.Respondent(), phone_hash=""))
    # Phone-only responses (browser keeps no cookies) do not collide with each other.
    _submit(portal, responses.Respondent(phone_hash="6" * 64))
    _submit(portal, responses.Respondent(phone_hash="7" * 64))
    with portal.db.read() as session:
        assert responses.answered_here(session, SURVEY, token)
        assert not responses.answered_here(session, SURVEY, "3" * 64)
        assert not responses.answered_here(session, SURVEY, None)
        assert stats.overview(session, SURVEY.key, {}).responses == 3


def test_the_database_enforces_one_response_per_browser_and_period(portal):
    """The unique constraint itself (not only the check before it): a second row with the
    same period and browser hash is refused; another period is allowed."""
    from datetime import datetime

    from sqlalchemy.exc import IntegrityError

    from portal.surveys.models import SurveyResponse

    def row(key, respondent):
        return SurveyResponse(survey_key=key, version="1", respondent_hash=respondent,
                              browser_hash="a" * 64, submitted_at=datetime(2026, 6, 1),
                              submitted_on=date(2026, 6, 1), month="2026-06", answers="{}")

    with portal.db.write() as session:
        session.add(row("s@2026-01-01", "1" * 64))
        session.add(row("s@2027-01-01", "2" * 64))
    with pytest.raises(IntegrityError):
        with portal.db.write() as session:
            session.add(row("s@2026-01-01", "3" * 64))
