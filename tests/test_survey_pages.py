"""The survey through the pages (AppTest): a respondent answers step by step (answers kept
going back and forth, required questions enforced), submits once, sees the summary; the
analyst's dashboard shows scores with intervals, groups, trend, comments, exports."""
from sqlalchemy import func, select

from test_pages import app_env, demo_password, open_page, sign_in, texts  # noqa: F401
from portal.db import Database
from portal.surveys.models import SurveyResponse, SurveyTextAnswer


def _count(app_env, model=SurveyResponse):
    with Database(f"sqlite:///{app_env / 'app.sqlite3'}").read() as session:
        return session.scalar(select(func.count()).select_from(model).where(model.is_demo.is_(False)))


def _next(at, label="下一步"):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_respondent_answers_step_by_step(app_env):
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
    assert _count(app_env) == 1
    with Database(f"sqlite:///{app_env / 'app.sqlite3'}").read() as session:
        stored = session.scalar(select(SurveyTextAnswer.text).where(SurveyTextAnswer.is_demo.is_(False)))
    assert "13812345678" not in stored and "138****5678" in stored


def test_analyst_dashboard(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_analyst", demo_password(app_env, "demo_analyst"))
    at.switch_page("pages/survey_dashboard.py").run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "演示数据" in body and "置信区间" in "".join(m.label for m in at.metric)
    assert len(at.dataframe) >= 4
    at.selectbox[0].set_value("area").run()
    assert not at.exception
    assert set(at.dataframe[1].value["分组"]) == {"城镇", "农村"}
    at.toggle[0].set_value(False).run()
    assert "（未加权）" in at.metric[0].label
    at.toggle[1].set_value(True).run()          # top terms
    assert not at.exception, at.exception


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
