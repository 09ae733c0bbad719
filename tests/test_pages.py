"""Every page opens without exception and shows its key content; official pages refuse
anyone without the right role; forms end in the database."""
import pytest
from sqlalchemy import select

from helpers.pages import demo_password, open_page, sign_in, texts
from portal.accounts.models import AuditEntry, Official
from portal.ui.nav import OFFICIAL, PAGES

SECRET_BITS = ["demo_admin", "审计日志</", "新建账号"]


@pytest.mark.parametrize("spec", PAGES, ids=[p.path for p in PAGES])
def test_every_page_opens_without_exception(app_env, spec):
    at = open_page(spec.path)
    assert not at.exception, at.exception
    assert texts(at)


def test_home_shows_figures_from_the_database_and_demo_label(app_env):
    at = open_page("streamlit_app.py")
    assert "张家界市" in at.title[0].value
    assert "演示数据" in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["登记食品经营主体"] == "600 家"
    table = at.table[0].value
    assert list(table.index) == ["永定区", "武陵源区", "慈利县", "桑植县"]


def test_home_follows_the_jurisdiction_setting(fresh_app_env, monkeypatch):
    monkeypatch.setenv("PORTAL_JURISDICTION", "jiaxing")
    at = open_page("streamlit_app.py")
    assert "嘉兴市" in at.title[0].value
    assert "南湖区" in list(at.table[0].value.index)


@pytest.mark.security
@pytest.mark.parametrize("spec", [p for p in PAGES if p.section == OFFICIAL and p.role],
                         ids=lambda p: p.path)
def test_official_pages_refuse_anonymous_visitors(app_env, spec):
    at = open_page(spec.path)
    body = texts(at)
    assert "请先登录" in body
    assert not at.dataframe and not at.table
    for bit in SECRET_BITS:
        assert bit not in body


@pytest.mark.security
def test_wrong_role_is_refused(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_handler", demo_password(app_env, "demo_handler"))
    assert "我的账号" in at.title[0].value
    at.switch_page("pages/accounts.py").run()
    assert "没有访问此页面的权限" in texts(at)
    assert not at.dataframe


def test_sign_in_failure_message_and_audit(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_admin", "not-the-password1")
    assert "用户名或密码不正确" in texts(at)


def test_admin_creates_an_account_through_the_page(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_admin", demo_password(app_env, "demo_admin"))
    at.switch_page("pages/accounts.py").run()
    assert not at.exception
    assert "demo_handler" in at.dataframe[0].value["用户名"].tolist()
    form_inputs = [t for t in at.text_input if t.label in ("用户名", "姓名")]
    form_inputs[0].input("zhang.san")
    form_inputs[1].input("张三")
    at.multiselect[0].select("handler")
    next(b for b in at.button if b.label == "新建账号").click()
    at.run()
    assert "临时密码" in texts(at)
    temporary = at.code[0].value
    from portal.db import Database
    import os
    db = Database(os.environ["PORTAL_DATABASE_URL"])
    with db.read() as session:
        official = session.scalar(select(Official).where(Official.username == "zhang.san"))
        assert official.roles == {"handler"} and official.must_change_password
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "official_create",
                                                       AuditEntry.object_id == "zhang.san"))
    # The new official must set a password before anything else.
    fresh = open_page("pages/login.py")
    sign_in(fresh, "zhang.san", temporary)
    assert "请先设置新密码" in texts(fresh)


def test_bad_account_form_keeps_input_and_says_what_to_fix(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_admin", demo_password(app_env, "demo_admin"))
    at.switch_page("pages/accounts.py").run()
    form_inputs = [t for t in at.text_input if t.label in ("用户名", "姓名")]
    form_inputs[0].input("Bad Name!")
    form_inputs[1].input("李四")
    next(b for b in at.button if b.label == "新建账号").click()
    at.run()
    body = texts(at)
    assert "请修改以下内容" in body and "用户名" in body and "角色" in body
    assert [t.value for t in at.text_input if t.label == "姓名"] == ["李四"]


def test_audit_log_lists_sign_ins_for_admin(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_admin", demo_password(app_env, "demo_admin"))
    at.switch_page("pages/audit_log.py").run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert "登录" in frame["操作"].tolist()
    assert "demo_admin" in frame["操作人"].tolist()


def test_idle_official_is_signed_out(app_env):
    import os
    from datetime import timedelta

    from sqlalchemy import select

    from portal.accounts.models import OfficialSession
    from portal.db import Database

    at = open_page("pages/login.py")
    sign_in(at, "demo_admin", demo_password(app_env, "demo_admin"))
    with Database(os.environ["PORTAL_DATABASE_URL"]).write() as session:
        for row in session.scalars(select(OfficialSession)):
            row.last_seen_at -= timedelta(minutes=31)
    at.switch_page("pages/audit_log.py").run()
    body = texts(at)
    assert "自动退出" in body and "请先登录" in body
    assert not at.dataframe


def test_sign_out(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_admin", demo_password(app_env, "demo_admin"))
    next(b for b in at.button if b.label == "退出登录").click()
    at.run()
    assert "已安全退出" in texts(at) and at.title[0].value == "监管人员登录"
