"""Notices by SMS end to end, through a real HTTP gateway on loopback (tests/helpers/
sms_gateway.py): a citizen follows a business by mobile on its page, types back the code the
gateway received, a failing batch is imported, the worker POSTs one templated SMS with the
batch's link; a 500 is retried under the same message_id, a 400 is a permanent failure (the
number erased after three), and the short manage link stops everything. A complaint filed
with SMS consent gets its number and code, then a notice at each public step. SQLite and
PostgreSQL."""
from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from conftest import ROOT
from helpers.cli import call_cli
from helpers.complaints import add_business, client as citizen, complaint_form
from helpers.mailbox import start_mailbox
from helpers.sms_gateway import Gateway
from portal.notices import delivery, messages, mobile, sms
from portal.notices.mailer import PermanentFailure, TemporaryFailure
from portal.notices.models import (ACTIVE, FAILED, SENT, SMS, Delivery, Follow, NoticeContact, NoticeEvent)
from portal.personal import keyed_hash
from portal.timeutil import utcnow
from test_notices import PUBLIC, failing_file, run_sampling_import, web

PHONE = "13912345678"


@pytest.fixture
def gateway():
    found = Gateway()
    yield found
    found.stop()


@pytest.fixture
def sms_env(db_url, tmp_path, monkeypatch, gateway):
    """The portal's settings as the pages read them: this database, mail to a local SMTP
    server, SMS to the local gateway."""
    from portal.config import load_settings
    from portal.runtime import get_portal

    box, controller, port = start_mailbox()
    values = {"PORTAL_DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp_path / "var"), "PORTAL_DEMO": "0",
              "PORTAL_SMTP_URL": f"smtp://127.0.0.1:{port}", "PORTAL_PUBLIC_URL": PUBLIC,
              "PORTAL_MAIL_FROM": "notices@food.example.gov.cn", "PORTAL_PHONE_VERIFICATION": "webhook",
              "PORTAL_SMS_WEBHOOK_URL": gateway.url}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PORTAL_JURISDICTION", raising=False)
    settings = load_settings()
    yield get_portal(settings), settings
    controller.stop()


def business_page(business_id: int):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.query_params["id"] = str(business_id)
    at.switch_page("pages/business.py").run()
    assert not at.exception
    return at


def follow_by_mobile_on_business_page(business_id: int, gateway: Gateway, phone: str = PHONE):
    return follow_by_mobile_on(business_page(business_id), "business", gateway, phone)


def follow_by_mobile_on(at, key: str, gateway: Gateway, phone: str = PHONE):
    """The follow form as a citizen uses it: 手机短信, the number, the code the gateway got."""
    assert any(e.label == "有新的不合格抽检时通知我" for e in at.expander)
    at.radio(key=f"follow_{key}_channel").set_value("sms").run()
    next(t for t in at.text_input if t.label == "手机号码").input(phone)
    next(b for b in at.button if b.label == "获取验证码").click()
    at.run()
    assert not at.exception and not at.error
    [sent] = gateway.codes()
    assert sent["phone"] == phone and sent["purpose"] == mobile.PURPOSE
    wrong = f"{(int(sent['code']) + 1) % 1_000_000:06d}"
    next(t for t in at.text_input if t.label == "验证码").input(wrong)
    next(b for b in at.button if b.label == "确认关注").click()
    at.run()
    assert any("验证码不对" in e.value for e in at.error) and not at.success
    next(t for t in at.text_input if t.label == "验证码").input(sent["code"])
    next(b for b in at.button if b.label == "确认关注").click()
    at.run()
    assert not at.exception
    assert any("已关注" in s.value for s in at.success)
    return at


def follow_by_mobile(portal, settings, gateway: Gateway, business_id: int, phone: str = PHONE) -> None:
    """The same two steps as the form takes them (for the tests about delivery)."""
    data = {"phone": phone, "topic": "business", "subject": str(business_id)}
    with portal.db.write() as session:
        started = mobile.start_follow(session, settings, citizen(1), data)
    code = gateway.codes()[-1]["code"]
    with portal.db.write() as session:
        assert mobile.confirm_follow(session, settings, started.challenge_id, code, data) is not None


def due_now(portal) -> None:
    """Skip the backoff wait (the retry is what is tested, not the clock)."""
    with portal.db.write() as session:
        session.execute(update(Delivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def local(link: str) -> str:
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_kind_that_can_reach_a_mobile_has_a_template():
    """Each kind of message is either sent by SMS through an approved template (with a
    builder for exactly its parameters) or declared e-mail only, with the reason."""
    found = sms.templates()
    for kind in messages.RENDER:
        assert kind in found or kind in sms.EMAIL_ONLY, f"{kind}: no SMS template and not declared e-mail only"
    long_values = {"subject": "张" * 40, "count": "123", "number": "TS20261201ABCDEFGH", "code": "ABCD2345",
                   "step": "需要您补充情况", "link": f"{PUBLIC}/sampling?batch=1234567&scope=all",
                   "manage": f"{PUBLIC}/n/1234567.{'a' * 32}"}
    for kind, template in found.items():
        assert kind in sms.PARAMS and template.template_id
        text = template.text.format(**{k: v[:sms.MAX_PARAM] if k in ("subject",) else v
                                       for k, v in long_values.items() if k in template.params})
        assert len(text) <= sms.MAX_TEXT and text.count("http") == 2      # the content link, the manage link
    broken = ROOT / "data" / "notices" / "sms_templates.json"
    entry = json.loads(broken.read_text(encoding="utf-8"))["sampling_failed"]
    assert set(entry["params"]) == set(found["sampling_failed"].params)


def test_follow_by_mobile_notice_repeat_and_unsubscribe(sms_env, gateway):
    portal, settings = sms_env
    business_id = add_business(portal, "张家界示例快餐店")
    follow_by_mobile_on_business_page(business_id, gateway)
    with portal.db.read() as session:    # stored encrypted, found by its keyed hash; active at once
        contact = session.scalars(select(NoticeContact)).one()
        assert contact.channel == SMS and PHONE not in contact.address_enc + contact.address_hash
        assert contact.address_hash == keyed_hash(settings.secret_key, f"notice:{SMS}", PHONE)
        assert session.scalar(select(Follow.status)) == ACTIVE
    assert delivery.run_once(portal.db, settings).sent == 0        # no confirmation message by SMS

    run_sampling_import(portal, failing_file("张家界示例快餐店"), "fail.xlsx")
    from portal.sampling.models import SamplingBatch

    with portal.db.read() as session:
        batch_id = session.scalar(select(SamplingBatch.id).where(SamplingBatch.sampled_business_id == business_id))
    stats = delivery.run_once(portal.db, settings)
    assert (stats.fanned_out, stats.sent) == (1, 1)
    [notice] = gateway.notices()
    assert notice["phone"] == PHONE and notice["template_id"] == "SMS_FOOD_NOTICE_FAILED"
    assert notice["params"]["link"] == f"{PUBLIC}/sampling?batch={batch_id}&scope=all"
    assert notice["params"]["subject"] == "张家界示例快餐店" and notice["params"]["count"] == "1"
    assert notice["message_id"].startswith("notice.") and notice["_content_type"].startswith("application/json")
    assert set(notice) == {"phone", "template_id", "params", "message_id", "_content_type"}
    assert delivery.run_once(portal.db, settings).sent == 0        # a repeat run sends nothing
    assert len(gateway.notices()) == 1

    # The short manage link: the manage page, which names the follow and never the number.
    client = web(portal, settings)
    short = client.get(local(notice["params"]["manage"]), follow_redirects=False)
    assert short.status_code == 303
    page = client.get(local(short.headers["location"]))
    assert page.status_code == 200 and "张家界示例快餐店" in page.text and "手机号" in page.text
    assert PHONE not in page.text and PHONE[-4:] not in page.text
    assert client.get("/n/1.zzzz").status_code == 404
    done = client.post(local(short.headers["location"]), data={"do": "unsubscribe"})
    assert "已退订" in done.text and "短信" in done.text
    with portal.db.read() as session:     # the number erased, with its follows and messages
        assert session.scalar(select(func.count()).select_from(NoticeContact)) == 0
        assert session.scalar(select(func.count()).select_from(Follow)) == 0
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0
    run_sampling_import(portal, failing_file("张家界示例快餐店", "香肠"), "fail2.xlsx")
    assert delivery.run_once(portal.db, settings).sent == 0
    assert len(gateway.notices()) == 1


def test_gateway_errors_retry_and_permanent_failures(sms_env, gateway):
    """500 then 200: retried, delivered once, under one message_id. 400: given up, counted
    against the number; after three the number is erased."""
    portal, settings = sms_env
    business_id = add_business(portal, "张家界示例米粉店")
    follow_by_mobile(portal, settings, gateway, business_id)
    run_sampling_import(portal, failing_file("张家界示例米粉店", "米粉"), "a.xlsx")
    gateway.answers = [500]
    stats = delivery.run_once(portal.db, settings)
    assert (stats.sent, stats.retried) == (0, 1)
    assert delivery.run_once(portal.db, settings).sent == 0      # not due yet: the backoff holds
    due_now(portal)
    assert delivery.run_once(portal.db, settings).sent == 1
    first, second = gateway.notices()
    assert first["message_id"] == second["message_id"] and first["params"] == second["params"]
    with portal.db.read() as session:
        assert session.scalar(select(Delivery.status)) == SENT
        assert session.scalar(select(Delivery.attempts)) == 2
    due_now(portal)
    assert delivery.run_once(portal.db, settings).sent == 0 and len(gateway.notices()) == 2

    for n, food in enumerate(["腊肉", "香肠", "酱菜"], start=1):
        run_sampling_import(portal, failing_file("张家界示例米粉店", food), f"b{n}.xlsx")
        gateway.answers = [400]
        stats = delivery.run_once(portal.db, settings)
        assert (stats.sent, stats.failed, stats.retried) == (0, 1, 0)
        with portal.db.read() as session:
            contact = session.scalar(select(NoticeContact))
            if n < 3:
                assert contact.bounces == n
                assert session.scalar(select(func.count()).select_from(Delivery)
                                      .where(Delivery.status == FAILED)) == n
            else:                        # the third permanent failure erases the number
                assert contact is None
                assert session.scalar(select(func.count()).select_from(Follow)) == 0
    assert len(gateway.notices()) == 5


def test_gateway_timeout_is_a_temporary_failure(gateway):
    gateway.delay = 1.0
    message = sms.SmsMessage(PHONE, "T1", {"a": "b"}, "notice.1.1@portal.test", "b")
    with pytest.raises(TemporaryFailure):
        sms.SmsTransport(gateway.url, timeout=0.3).send(message)
    gateway.delay = 0
    for status, error in ((429, TemporaryFailure), (503, TemporaryFailure), (404, PermanentFailure)):
        gateway.answers = [status]
        with pytest.raises(error):
            sms.SmsTransport(gateway.url).send(message)
    gateway.answers = [204]
    sms.SmsTransport(gateway.url).send(message)


def test_complaint_with_sms_consent_gets_number_code_and_steps(sms_env, gateway):
    from helpers.db import official
    from portal.complaints import filing, handling
    from portal.validation import InputError

    portal, settings = sms_env
    business_id = add_business(portal, "张家界示例快餐店")
    with portal.db.write() as session, pytest.raises(InputError) as refused:
        filing.submit(session, settings.secret_key, portal.profile.adcode,
                      complaint_form(business_id, kind="report", phone="", contact_name="", claim="",
                                     sms_notices=True), [], citizen(1))
    assert "phone" in refused.value.errors
    with portal.db.write() as session:
        receipt = filing.submit(session, settings.secret_key, portal.profile.adcode,
                                complaint_form(business_id, phone=PHONE, sms_notices=True), [], citizen(1))
    assert delivery.run_once(portal.db, settings).sent == 1
    [filed] = gateway.notices()
    assert filed["phone"] == PHONE and filed["template_id"] == "SMS_FOOD_NOTICE_FILED"
    assert filed["params"]["number"] == receipt.tracking_no and filed["params"]["code"] == receipt.code
    assert filed["params"]["link"] == f"{PUBLIC}/complaint_track?no={receipt.tracking_no}"
    with portal.db.read() as session:      # the code kept (encrypted) only until sent
        assert session.scalar(select(func.count()).select_from(NoticeEvent)
                              .where(NoticeEvent.secret.is_not(None))) == 0
    handler = official(portal, "handler")
    with portal.db.write() as session:
        handling.accept(session, handler, receipt.complaint_id)
        handling.add_note(session, handler, receipt.complaint_id, "内部备注：先电话联系商户")
    assert delivery.run_once(portal.db, settings).sent == 1
    status = gateway.notices()[1]
    assert status["template_id"] == "SMS_FOOD_NOTICE_STATUS" and status["params"]["step"] == "已受理"
    assert "code" not in status["params"] and len(gateway.notices()) == 2     # the note sent nothing


def test_demo_mode_offers_no_sms(app_env, monkeypatch):
    """Demo codes are shown on screen, which proves nothing about a number: no SMS notices."""
    from helpers.pages import open_page

    monkeypatch.setenv("PORTAL_PHONE_VERIFICATION", "demo")
    monkeypatch.setenv("PORTAL_SMTP_URL", "smtp://127.0.0.1:1")
    monkeypatch.setenv("PORTAL_MAIL_FROM", "notices@food.example.gov.cn")
    monkeypatch.setenv("PORTAL_PUBLIC_URL", PUBLIC)
    at = open_page("pages/sampling.py")
    assert any(e.label == "有新的不合格抽检时发邮件告诉我" for e in at.expander)
    assert not any(r.label == "通知方式" for r in at.radio)
    assert any("演示环境不提供短信通知" in c.value for c in at.caption)
    assert not any(t.label == "手机号码" for t in at.text_input)
    complaint = open_page("pages/complaint.py")
    assert not any("用短信" in c.label for c in complaint.checkbox)


def test_complaint_page_offers_sms_and_texts_the_number(app_env, monkeypatch, gateway):
    """As a citizen does it: tick 用短信… on 投诉举报, file, and the number shown on the page
    arrives by SMS at the number typed in the form."""
    import test_complaint_pages
    from portal.config import load_settings
    from portal.runtime import get_portal

    monkeypatch.setenv("PORTAL_PHONE_VERIFICATION", "webhook")
    monkeypatch.setenv("PORTAL_SMS_WEBHOOK_URL", gateway.url)
    monkeypatch.setenv("PORTAL_PUBLIC_URL", PUBLIC)
    settings = load_settings()
    portal = get_portal(settings)
    original_fill = test_complaint_pages._fill

    def fill_with_sms(at, description):
        original_fill(at, description)
        box = next(c for c in at.checkbox if c.key == "c_sms")
        assert "用短信" in box.label
        box.check()

    monkeypatch.setattr(test_complaint_pages, "_fill", fill_with_sms)
    at = test_complaint_pages.file_complaint(app_env, "在米粉里吃出一根头发，米粉店后厨也不干净。")
    assert not at.exception
    receipt = at.session_state["complaint_receipt"]
    assert delivery.run_once(portal.db, settings).sent == 1
    [filed] = gateway.notices()
    assert filed["phone"] == test_complaint_pages.PHONE
    assert (filed["params"]["number"], filed["params"]["code"]) == (receipt.tracking_no, receipt.code)


def test_follow_every_failed_batch_by_mobile_from_the_sampling_page(sms_env, gateway):
    from streamlit.testing.v1 import AppTest

    portal, settings = sms_env
    add_business(portal, "张家界示例米粉店")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/sampling.py").run()
    assert not at.exception
    follow_by_mobile_on(at, "sampling", gateway)
    run_sampling_import(portal, failing_file("张家界示例米粉店", "米粉"), "f.xlsx")
    assert delivery.run_once(portal.db, settings).sent == 1
    [notice] = gateway.notices()
    assert notice["params"]["subject"] == "全市抽检" and "/sampling?batch=" in notice["params"]["link"]
    assert sms.templates()["sampling_failed"].text.format(**notice["params"]).startswith("您关注的全市抽检有1批")


def test_cli_sends_sms_without_a_mail_server(tmp_path, gateway):
    """`notify run-once` with an SMS gateway and no PORTAL_SMTP_URL: the SMS go out, and a
    mail waiting for a server is kept for later (retried), not lost."""
    import os
    import subprocess
    import sys

    from portal.bootstrap import bootstrap
    from portal.config import load_settings

    env = {**os.environ, "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
           "PORTAL_VAR_DIR": str(tmp_path / "var"), "PORTAL_DEMO": "0", "PORTAL_PUBLIC_URL": PUBLIC,
           "PORTAL_PHONE_VERIFICATION": "webhook", "PORTAL_SMS_WEBHOOK_URL": gateway.url}
    for key in ("PORTAL_JURISDICTION", "PORTAL_SMTP_URL", "PORTAL_MAIL_FROM"):
        env.pop(key, None)
    settings = load_settings(env)
    portal = bootstrap(settings)
    business_id = add_business(portal, "张家界示例快餐店")
    follow_by_mobile(portal, settings, gateway, business_id)
    with portal.db.write() as session:          # an address followed before the mail server went
        from portal.notices.follows import _contact
        from portal.notices.models import BUSINESS

        contact = _contact(session, settings.secret_key, "reader@example.com")
        session.add(Follow(contact_id=contact.id, topic=BUSINESS, subject=str(business_id), status=ACTIVE))
    run_sampling_import(portal, failing_file("张家界示例快餐店"), "fail.xlsx")
    done = subprocess.run([sys.executable, "-m", "portal", "notify", "run-once"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "发出 1 " in done.stdout and "稍后重试 1 " in done.stdout
    assert [n["template_id"] for n in gateway.notices()] == ["SMS_FOOD_NOTICE_FAILED"]
    env.pop("PORTAL_SMS_WEBHOOK_URL")
    refused = call_cli(["notify", "run-once"], env)     # the same command, in this process
    assert refused.returncode == 2 and "PORTAL_SMS_WEBHOOK_URL" in refused.stderr
