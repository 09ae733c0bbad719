"""Single-entry edits by publishers: validation, role checks, audit, public effect."""
import os
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.actions import PermissionDenied
from portal.accounts.models import AuditEntry
from portal.accounts.rules import Actor
from portal.lists.models import ListEntry
from portal.lists import actions as list_actions
from portal.ratings import actions as rating_actions
from portal.registry.actions import update_business
from portal.registry.models import Business
from portal.timeutil import local_today
from portal.validation import InputError
from helpers.pages import demo_password, open_page, sign_in, texts

PUBLISHER = Actor(None, "pub", "发布员", frozenset({"publisher"}))
HANDLER = Actor(None, "hdl", "处理员", frozenset({"handler"}))


@pytest.fixture
def restaurant(portal):
    with portal.db.write() as session:
        business = Business(name="测试饭店", sector="catering", business_type="餐馆",
                            address="永定区人民路1号", district_adcode="430802", lat=29.1,
                            lng=110.4, location_approximate=False, is_demo=False,
                            licence_date=date(2020, 1, 1))
        session.add(business)
        session.flush()
        return business.id


def test_inspection_kitchen_and_list_edits(portal, restaurant):
    today = local_today()
    with portal.db.write() as session:
        rating_actions.add_inspection(session, PUBLISHER, restaurant, {"inspected_on": today, "score": 9.4})
        rating_actions.set_kitchen(session, PUBLISHER, restaurant,
                          {"kind": "互联网+明厨亮灶", "stream_url": "https://live.gov.cn/k/1"})
        entry = list_actions.add_list_entry(session, PUBLISHER, restaurant, {
            "kind": "black", "reason": "经营过期食品", "decision_no": "张市监处罚〔2026〕9号",
            "authority": "张家界市市场监督管理局", "listed_on": today - timedelta(days=400)})
        entry_id = entry.id
    with portal.db.write() as session:
        list_actions.remove_list_entry(session, PUBLISHER, entry_id, today, "履行处罚后申请提前移出")
    with portal.db.read() as session:
        assert session.get(ListEntry, entry_id).removed_on == today
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"inspection_add", "kitchen_set", "list_add", "list_remove"} <= actions


@pytest.mark.parametrize("call,field", [
    (lambda s, b: rating_actions.add_inspection(s, PUBLISHER, b, {"inspected_on": None, "score": 9}), "inspected_on"),
    (lambda s, b: rating_actions.add_inspection(s, PUBLISHER, b, {"inspected_on": date(2026, 1, 1), "score": 11}), "score"),
    (lambda s, b: rating_actions.set_kitchen(s, PUBLISHER, b, {"kind": "互联网+明厨亮灶", "stream_url": "javascript:alert(1)"}), "stream_url"),
    (lambda s, b: list_actions.add_list_entry(s, PUBLISHER, b, {"kind": "black", "reason": "原因原因", "authority": "某局", "listed_on": date(2026, 1, 1)}), "decision_no"),
])
def test_bad_edits_are_refused(portal, restaurant, call, field):
    with pytest.raises(InputError) as err:
        with portal.db.write() as session:
            call(session, restaurant)
    assert field in err.value.errors


def test_early_removal_needs_a_year_and_the_role(portal, restaurant):
    today = local_today()
    with portal.db.write() as session:
        entry = list_actions.add_list_entry(session, PUBLISHER, restaurant, {
            "kind": "black", "reason": "经营过期食品", "decision_no": "文号1", "authority": "某局",
            "listed_on": today - timedelta(days=30)})
        entry_id = entry.id
    with portal.db.write() as session, pytest.raises(InputError, match="未满一年"):
        list_actions.remove_list_entry(session, PUBLISHER, entry_id, today, "申请提前移出")
    with portal.db.write() as session, pytest.raises(PermissionDenied):
        rating_actions.add_inspection(session, HANDLER, restaurant, {"inspected_on": today, "score": 9})


def test_edit_page_records_an_inspection(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_publisher", demo_password(app_env, "demo_publisher"))
    at.switch_page("pages/registry_edit.py").run()
    assert "请先输入单位名称" in texts(at)
    at.text_input[0].input("食堂").run()
    assert not at.exception
    at.date_input[0].set_value(local_today())
    next(b for b in at.button if b.label == "保存检查结果").click()
    at.run()
    assert "已保存" in texts(at)


def test_registry_entry_correction_uses_the_import_checks(portal, restaurant):
    good = {"name": "测试饭店", "credit_code": "9144030071526726xg", "licence_no": "",
            "business_type": "快餐店", "address": "永定区人民路2号", "district": "永定区",
            "lat": "", "lng": "", "licence_date": date(2020, 1, 1)}
    with portal.db.write() as session:
        business = update_business(session, PUBLISHER, restaurant, good, portal.profile)
        assert business.credit_code == "9144030071526726XG" and business.business_type == "快餐店"
        assert business.location_approximate
    with portal.db.write() as session, pytest.raises(InputError) as err:
        update_business(session, PUBLISHER, restaurant,
                              {**good, "credit_code": "9144030071526726XH"}, portal.profile)
    assert "credit_code" in err.value.errors
