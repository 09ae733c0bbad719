"""The survey through the pages (AppTest): a respondent answers step by step (answers kept
going back and forth, required questions enforced, 不了解/说不清 offered), submits once, sees
the summary; the same browser (its signed token cookie) is told it has answered, a browser
without cookies is asked to verify a phone; the analyst's dashboard shows scores with
intervals, groups, trend, comments, 不了解/说不清 counts, exports."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpers.db import app_db, count_rows
from helpers.pages import demo_password, open_page, sign_in, texts
from portal.surveys.models import SurveyDontKnow, SurveyResponse, SurveyTextAnswer


@pytest.fixture
def browser_cookie(monkeypatch):
    """The cookies a browser sends: AppTest has none, so the page's reader is replaced by one
    returning a valid signed browser token (set `browser_cookie["value"] = None` for none)."""
    from portal import cookies
    from portal.browser_token import BROWSER
    from portal.config import load_settings
    from portal.timeutil import utcnow
    from portal.ui import browser

    jar = {"value": "browser-one"}

    def request_cookies():
        if jar["value"] is None:
            return {}
        return {BROWSER.name: cookies.sign(load_settings().secret_key, BROWSER.purpose, jar["value"],
                                           utcnow() + timedelta(days=1))}

    monkeypatch.setattr(browser, "request_cookies", request_cookies)
    return jar


def _next(at, label="下一步"):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_respondent_answers_step_by_step(app_env, browser_cookie):
    at = open_page("pages/survey.py")
    assert not at.exception, at.exception
    assert "第 1 / 6 步" in at.get("progress")[0].proto.text
    _next(at)
    assert "请先回答以下必答题" in texts(at)          # nothing chosen yet
    at.radio(key="p_district").set_value("430811")
    at.radio(key="p_area").set_value("农村")
    at.radio(key="p_age_group").set_value("45–59岁")
    _next(at)
    assert "第 2 / 6 步" in at.get("progress")[0].proto.text
    _next(at, "上一步")
    assert at.radio(key="p_district").value == "430811"   # kept
    _next(at)
    for step in range(2, 7):
        if step == 5:         # 各类食品: 不了解/说不清 is offered beside the five levels
            assert at.radio(key="a_q_health").options[-1] == "不了解/说不清"
            at.radio(key="a_q_health").set_value("不了解/说不清")
        for radio in at.radio:
            if radio.key and radio.key.startswith("a_q_") and radio.value is None and \
                    radio.options and radio.options[0] == "非常不满意":
                radio.set_value(4)
        for area in at.text_area:
            area.input("外卖小店卫生差，我的电话13812345678")
        at = _next(at, "提交问卷" if step == 6 else "下一步")
        assert not at.exception, at.exception
        if step < 6:
            assert f"第 {step + 1} / 6 步" in at.get("progress")[0].proto.text, texts(at)
    assert "问卷已提交" in texts(at)
    assert count_rows(app_env, SurveyResponse, SurveyResponse.is_demo.is_(False)) == 1
    with app_db(app_env).read() as session:
        stored = session.scalar(select(SurveyTextAnswer.text).where(SurveyTextAnswer.is_demo.is_(False)))
        mine = session.scalar(select(SurveyResponse.id).where(SurveyResponse.is_demo.is_(False)))
        assert session.scalars(select(SurveyDontKnow.question_id).where(
            SurveyDontKnow.response_id == mine)).all() == ["q_health"]
    assert "13812345678" not in stored and "138****5678" in stored
    # The same browser again (a new session: a reload, a new tab): told, no form.
    again = open_page("pages/survey.py")
    assert "这个浏览器已经提交过本期问卷了" in texts(again) and not again.get("progress")
    assert not again.exception
    # Another browser may answer.
    browser_cookie["value"] = "browser-two"
    other = open_page("pages/survey.py")
    assert "第 1 / 6 步" in other.get("progress")[0].proto.text


def test_the_page_gets_a_token_first_and_falls_back_to_the_phone_without_cookies(app_env, browser_cookie):
    browser_cookie["value"] = None
    at = open_page("pages/survey.py")
    assert not at.exception, at.exception
    # No form yet: the page's script asks /browser-token for the cookie and reloads once.
    assert not at.get("progress") and not at.form
    script = "".join(h.proto.body for h in at.get("html"))
    assert 'fetch("/browser-token"' in script and "browser_token" in script
    # Back from that reload still without a cookie: the browser keeps none. Say so and ask
    # for a phone; no form to answer before that.
    at.query_params["browser_token"] = "1"
    at.run()
    assert "没有保存 Cookie" in texts(at) and not at.get("progress")
    assert any(b.label == "获取验证码" for b in at.button)
    assert "browser_token" not in at.query_params          # the marker is taken out of the URL


def test_english_visitor_is_told_in_english(app_env, browser_cookie):
    from test_surveys import PROFILE, full_answers

    from portal.browser_token import token_hash
    from portal.config import load_settings
    from portal.surveys import responses
    from portal.surveys.definition import load_survey

    at = open_page("pages/survey.py")           # first start: database, demo and secret
    settings = load_settings()
    with app_db(app_env).write() as session:
        responses.submit(session, settings.secret_key, load_survey(settings.survey),
                         {PROFILE["district"]}, PROFILE, full_answers(), responses.Respondent(
                             browser_hash=token_hash(settings.secret_key, "browser-one")), "10.0.0.9")
    at = open_page("pages/survey.py")
    at.query_params["lang"] = "en"
    at.run()
    assert "This browser has already answered this survey period" in texts(at), texts(at)


def test_analyst_dashboard(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_analyst", demo_password(app_env, "demo_analyst"))
    at.switch_page("pages/survey_dashboard.py").run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "演示数据" in body and "置信区间" in "".join(m.label for m in at.metric)
    assert len(at.dataframe) >= 5
    unknown = next(d.value for d in at.dataframe if "人数" in d.value.columns)
    assert unknown["人数"].sum() > 0 and "保健食品" in set(unknown["题目"])
    assert "不计入得分" in body
    at.selectbox[0].set_value("area").run()
    assert not at.exception
    groups = next(d.value for d in at.dataframe if "分组" in d.value.columns)
    assert set(groups["分组"]) == {"城镇", "农村"}
    at.toggle[0].set_value(False).run()
    assert "（未加权）" in at.metric[0].label
    at.toggle[1].set_value(True).run()          # top terms
    assert not at.exception, at.exception


@pytest.mark.security
def test_overview_shows_each_official_their_part(app_env):
    anonymous = open_page("pages/overview.py")
    assert "请先登录" in texts(anonymous) and not anonymous.metric
    handler = open_page("pages/login.py")
    sign_in(handler, "demo_handler", demo_password(app_env, "demo_handler"))
    handler.switch_page("pages/overview.py").run()
    assert not handler.exception, handler.exception
    titles = [s.value for s in handler.subheader]
    assert titles == ["投诉举报法定时限"]
    analyst = open_page("pages/login.py")
    sign_in(analyst, "demo_analyst", demo_password(app_env, "demo_analyst"))
    analyst.switch_page("pages/overview.py").run()
    assert not analyst.exception, analyst.exception
    assert [s.value for s in analyst.subheader] == ["不合格食品核查处置", "投诉举报法定时限", "你点我检",
                                                    "食品安全满意度"]
    # Links only to pages the analyst may open.
    links = [l.proto.page for l in analyst.get("page_link")]
    assert any("survey_dashboard" in p for p in links)
    assert not any("complaint_queue" in p for p in links)
