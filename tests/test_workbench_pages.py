"""The handler's workbench through the pages (AppTest): filters kept in the address, bulk
assignment from ticked rows, the suggested unit, other open cases on the business, templates
in the reply box, the 办结 confirmation, the template editor and readable audit labels."""
import json

from sqlalchemy import select

from helpers.complaints import complaint_form
from test_complaint_pages import _business_id
from test_complaints import client
from helpers.pages import demo_password, open_page, sign_in, texts
from portal.accounts.models import AuditEntry
from portal.accounts.rules import cli_actor
from portal.complaints import filing, handling
from portal.complaints.models import Complaint
from portal.db import Database
from portal.registry.models import Business, District



def _db(app_env):
    return Database(f"sqlite:///{app_env / 'app.sqlite3'}")


def _file_cases(app_env, n, business_id):
    """n fresh complaints about one business; their ids."""
    from portal.config import load_settings

    settings = load_settings()
    ids = []
    with _db(app_env).write() as session:
        business = session.get(Business, business_id)
        jurisdiction = session.scalar(select(District.jurisdiction_adcode)
                                      .where(District.adcode == business.district_adcode))
        for i in range(n):
            receipt = filing.submit(session, settings.secret_key, jurisdiction,
                                    complaint_form(business_id, phone=f"1370000{i:04d}"), [],
                                    client(100 + i))
            ids.append(receipt.complaint_id)
    return ids


def _desk(app_env, page="pages/complaint_queue.py", user="demo_handler", **params):
    at = open_page("pages/login.py")
    sign_in(at, user, demo_password(app_env, user))
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_queue_filters_come_from_and_go_to_the_address(app_env):
    open_page("streamlit_app.py")
    business_id = _business_id(app_env)
    ids = _file_cases(app_env, 2, business_id)
    with _db(app_env).write() as session:
        handling.set_priority(session, cli_actor("t"), ids[1], "urgent")
        urgent_no = session.get(Complaint, ids[1]).tracking_no
        district = session.get(Business, business_id).district_adcode
    at = _desk(app_env, status="all", priority="urgent", district=district, kind="nonsense")
    assert at.selectbox(key="q_priority").value == "urgent"
    assert at.selectbox(key="q_district").value == district
    assert at.selectbox(key="q_kind").value == ""            # a bad value is dropped, not an error
    assert at.button_group(key="queue_status").value == "all"
    table = at.dataframe[0].value
    assert list(table["编号"]) == [urgent_no] and list(table["优先级"]) == ["紧急"]
    # A change is written back to the address, so a reload or a shared link keeps it.
    at.selectbox(key="q_priority").set_value("normal").run()
    assert at.query_params["priority"] == "normal"
    assert urgent_no not in list(at.dataframe[0].value["编号"])
    at.selectbox(key="q_priority").set_value("").run()
    assert "priority" not in at.query_params


def test_bulk_assign_from_ticked_rows_is_audited_per_case(app_env):
    open_page("streamlit_app.py")
    ids = _file_cases(app_env, 2, _business_id(app_env))
    with _db(app_env).write() as session:
        numbers = []
        for cid in ids:
            handling.accept(session, cli_actor("t"), cid)
            numbers.append(session.get(Complaint, cid).tracking_no)
    at = _desk(app_env)
    table = at.dataframe[0].value
    rows = [list(table["编号"]).index(n) for n in numbers]
    at.session_state["queue_table"] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert "批量交办" in texts(at)
    at.selectbox(key="bulk_unit").set_value("市局执法稽查支队")
    next(b for b in at.button if b.label == "交办所选 2 件").click()
    at.run()
    assert not at.exception, at.exception
    with _db(app_env).read() as session:
        assert {session.get(Complaint, cid).assigned_unit for cid in ids} == {"市局执法稽查支队"}
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint_assign",
                                                           AuditEntry.object_id.in_([str(i) for i in ids]))).all()
    assert sorted(int(e.object_id) for e in audited) == sorted(ids)
    assert all(e.actor_name == "demo_handler" for e in audited)


def test_case_view_suggests_flags_fills_and_confirms(app_env):
    open_page("streamlit_app.py")
    business_id = _business_id(app_env)
    ids = _file_cases(app_env, 2, business_id)
    db = _db(app_env)
    with db.read() as session:
        business = session.get(Business, business_id)
        district = session.get(District, business.district_adcode).name
        other_no = session.get(Complaint, ids[1]).tracking_no
        number = session.get(Complaint, ids[0]).tracking_no
    at = _desk(app_env, id=str(ids[0]))
    accept_unit = next(s for s in at.selectbox if s.label == "交办单位（可稍后再交办）")
    assert accept_unit.value == f"{district}市场监督管理局"
    assert "未办结的投诉举报" in texts(at) and other_no in [b.label for b in at.button]
    next(b for b in at.button if b.label == "受理").click()
    at.run()
    assert not at.exception, at.exception
    with db.read() as session:
        assert session.get(Complaint, ids[0]).assigned_unit == f"{district}市场监督管理局"
    picker = at.selectbox(key=f"tpl_办结_{ids[0]}")
    picker.set_value("调解成功").run()
    reply = next(t for t in at.text_area if t.label == "办结答复（群众可见）")
    assert number in reply.value and f"{district}市场监督管理局" in reply.value
    next(s for s in at.selectbox if s.label == "办理结果").set_value("调解成功")
    next(b for b in at.button if b.label == "办结").click()
    at.run()
    with db.read() as session:
        assert session.get(Complaint, ids[0]).status != "closed"     # not confirmed yet
    at.checkbox(key=f"close_sure_{ids[0]}").check()
    next(b for b in at.button if b.label == "办结").click()
    at.run()
    assert not at.exception, at.exception
    with db.read() as session:
        case = session.get(Complaint, ids[0])
        assert case.status == "closed" and number in case.reply


def test_template_editor_and_audit_labels(app_env):
    open_page("streamlit_app.py")
    at = _desk(app_env, page="pages/complaint_templates.py", user="demo_admin")
    assert "答复模板" in texts(at) and "{tracking_no}" in at.dataframe[0].value.to_string()
    next(b for b in at.button if b.label == "保存模板").click()
    at.run()
    assert not at.exception, at.exception
    log = _desk(app_env, page="pages/audit_log.py", user="demo_admin")
    table = log.dataframe[0].value
    assert "修改答复模板" in set(table["操作"])
    shown = table.to_string()
    for raw in ("tracking_no", "complaint_", "outcome"):
        assert raw not in shown, raw
    with _db(app_env).read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "complaint_templates_update")).one()
    assert json.loads(entry.detail)["after"] >= 1
