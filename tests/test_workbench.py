"""The handler's workbench: the 交办单位 suggested from the business's district, other open
cases on the same business, priorities, bulk assignment audited per case, response templates
(placeholders filled, never re-read, checked on save) and readable audit labels; SQLite and
PostgreSQL."""
import json

import pytest
from sqlalchemy import select

from helpers.complaints import add_business, complaint_form
from portal.accounts import actions
from portal.accounts.models import AuditEntry
from portal.accounts.rules import cli_actor
from portal.accounts.actions import PermissionDenied
from portal.accounts.views import audit_rows
from portal.complaints import handling, templates
from portal.complaints.models import IN_PROGRESS, Complaint
from portal.registry.models import Business
from portal.ui.widgets import md
from portal.validation import InputError
from test_complaints import file, handler  # noqa: F401


def _district(portal, name):
    return next(d for d in portal.profile.districts if d.name == name)


def _accept(portal, actor, *ids):
    with portal.db.write() as session:
        for cid in ids:
            handling.accept(session, actor, cid)


def test_unit_suggested_from_the_business_district(portal, handler):
    cili = _district(portal, "慈利县")
    business_id = add_business(portal, "慈利县某米粉店")
    with portal.db.write() as session:
        session.get(Business, business_id).district_adcode = cili.adcode
    registered = file(portal, complaint_form(business_id), who=1)
    typed = file(portal, complaint_form(None, business_name="街边小摊", address="某路口",
                                        district_adcode=portal.profile.districts[0].adcode), who=2)
    with portal.db.read() as session:
        case = session.get(Complaint, registered.complaint_id)
        assert handling.suggested_unit(session, case) == "慈利县市场监督管理局"
        assert handling.suggested_unit(session, case) in handling.units(
            [d.name for d in portal.profile.districts])
        other = session.get(Complaint, typed.complaint_id)
        assert handling.suggested_unit(session, other) == \
            f"{portal.profile.districts[0].name}市场监督管理局"
        other.district_adcode = None
        assert handling.suggested_unit(session, other) is None


def test_other_open_cases_on_the_same_business(portal, handler):
    business_id = add_business(portal)
    elsewhere = add_business(portal, "另一家店")
    first = file(portal, complaint_form(business_id), who=1)
    second = file(portal, complaint_form(business_id, phone="13900001111"), who=2)
    third = file(portal, complaint_form(business_id, phone="13900002222"), who=3)
    file(portal, complaint_form(elsewhere, phone="13900003333"), who=4)
    with portal.db.write() as session:
        handling.refuse(session, handler, third.complaint_id, handling.rules.refusal_grounds()[0])
    with portal.db.read() as session:
        related = handling.other_open_cases(session, session.get(Complaint, first.complaint_id))
    assert [r.tracking_no for r in related] == [second.tracking_no]   # not itself, not finished


def test_priority_is_stored_filtered_and_audited(portal, handler):
    business_id = add_business(portal)
    first = file(portal, complaint_form(business_id), who=1)
    second = file(portal, complaint_form(business_id, phone="13900001111"), who=2)
    with portal.db.write() as session:
        with pytest.raises(InputError):
            handling.set_priority(session, handler, first.complaint_id, "highest")
        handling.set_priority(session, handler, second.complaint_id, "urgent")
    with portal.db.read() as session:
        _, urgent = handling.queue(session, handling.QueueFilter(priority="urgent"))
        _, normal = handling.queue(session, handling.QueueFilter(priority="normal"))
        _, both = handling.queue(session, handling.QueueFilter())
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint_priority")).one()
    assert [r.complaint_id for r in urgent] == [second.complaint_id] and urgent[0].priority == "urgent"
    assert [r.complaint_id for r in normal] == [first.complaint_id]
    assert len(both) == 2
    shown = audit_rows([entry])[0]
    assert shown["操作"] == "调整优先级" and "优先级：紧急" in shown["详情"] and "原优先级：普通" in shown["详情"]


def test_bulk_assign_is_all_or_nothing_and_audited_per_case(portal, handler):
    business_id = add_business(portal)
    ids = [file(portal, complaint_form(business_id, phone=f"1390000{n:04d}"), who=n).complaint_id
           for n in range(3)]
    _accept(portal, handler, ids[0], ids[1])
    unit = "市局执法稽查支队"
    with portal.db.write() as session:
        with pytest.raises(InputError) as refused:       # the third is not accepted yet
            handling.bulk_assign(session, handler, ids, unit)
        assert session.get(Complaint, ids[2]).tracking_no in str(refused.value.errors)
    with portal.db.write() as session:
        with pytest.raises(InputError):
            handling.bulk_assign(session, handler, [], unit)
        with pytest.raises(PermissionDenied):
            nobody = actions.actor_for(actions.create_official(session, cli_actor("t"), {
                "username": "analyst1", "display_name": "分析员", "roles": ["analyst"],
                "password": "Analyst-pass-1"}))
            handling.bulk_assign(session, nobody, ids[:2], unit)
    with portal.db.read() as session:
        assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint_assign")).all()
    with portal.db.write() as session:
        done = handling.bulk_assign(session, handler, [ids[0], ids[1], ids[0]], unit)
    assert len(done) == 2
    with portal.db.read() as session:
        for cid in ids[:2]:
            case = session.get(Complaint, cid)
            assert case.assigned_unit == unit and case.status == IN_PROGRESS
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint_assign")
                                  .order_by(AuditEntry.id)).all()
    assert sorted(int(e.object_id) for e in audited) == sorted(ids[:2])
    assert all(json.loads(e.detail)["after"] == unit and e.actor_name == "handler1" for e in audited)


HOSTILE_NAME = "{tracking_no}<b>[点我](javascript:alert(1))</b>"


def test_templates_fill_the_case_and_never_reread_citizen_text(portal, handler):
    receipt = file(portal, complaint_form(None, business_name=HOSTILE_NAME,
                                          district_adcode=portal.profile.districts[0].adcode,
                                          address="某路 2 号"))
    _accept(portal, handler, receipt.complaint_id)
    with portal.db.read() as session:
        case = session.get(Complaint, receipt.complaint_id)
        close = templates.templates(session, "close")
        assert close and all(t.use == "close" for t in close)
        filled = templates.fill("编号 {tracking_no}，商户{business_name}，{due_on}前，{{保留}}，{nope}", case)
        for template in templates.templates(session):
            templates._check_body(template.body)            # the starting set is valid
    assert filled.startswith(f"编号 {receipt.tracking_no}，商户{HOSTILE_NAME}，")
    assert "{保留}" in filled and filled.endswith("{nope}")
    assert filled.count(receipt.tracking_no) == 1          # the name's "{tracking_no}" stays as typed
    shown = md(filled)                                      # and shown inert in markdown
    assert "](" not in shown and "<b>" not in shown


def test_admin_saves_templates_checked_and_audited(portal, handler, admin):
    admin_actor, _ = admin
    good = [{"name": "调解成功", "use": "close", "body": "编号 {tracking_no} 经{unit}调解已办结。"}]
    bad_rows = [
        [{"name": "坏", "use": "close", "body": "编号 {case.__class__} 已办结。。。"}],
        [{"name": "坏模板", "use": "close", "body": "编号 {tracking_no!r} 已办结。。。"}],
        [{"name": "坏模板", "use": "close", "body": "编号 {tracking_no 已办结。。。。"}],
        [{"name": "坏模板", "use": "nowhere", "body": "编号 {tracking_no} 已办结。。。"}],
        good + good,
    ]
    with portal.db.write() as session:
        for rows in bad_rows:
            with pytest.raises(InputError):
                templates.save_templates(session, admin_actor, rows)
        with pytest.raises(PermissionDenied):
            templates.save_templates(session, handler, good)
        templates.save_templates(session, admin_actor, good)
    with portal.db.read() as session:
        assert templates.is_customised(session)
        assert [t.name for t in templates.templates(session)] == ["调解成功"]
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "complaint_templates_update")).one()
    assert audit_rows([entry])[0]["操作"] == "修改答复模板"


def test_audit_log_shows_labels_not_field_names(portal, handler):
    business_id = add_business(portal)
    receipt = file(portal, complaint_form(business_id))
    with portal.db.write() as session:
        handling.accept(session, handler, receipt.complaint_id, "市局执法稽查支队")
        handling.close(session, handler, receipt.complaint_id, "调解成功", "商户已向消费者退款并道歉。")
    with portal.db.read() as session:
        entries = session.scalars(select(AuditEntry)).all()
    rows = audit_rows(entries)
    assert {r["操作"] for r in rows} >= {"受理投诉举报", "交办承办单位", "办结投诉举报"}
    for row in rows:
        assert not any(word in row["详情"] + row["对象"] for word in
                       ("tracking_no", "outcome", "complaint", "before", "after", "merged_into")), row
    close = next(r for r in rows if r["操作"] == "办结投诉举报")
    assert close["详情"].startswith("主件：—；办理结果：调解成功；编号：")
    assert close["对象"].startswith("投诉举报 ")
