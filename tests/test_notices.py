"""Notices end to end, with a real SMTP server on loopback (aiosmtpd): a citizen follows a
business on its page, confirms through the link in the mail, a failing batch for that
business is imported, the worker sends the notice with the batch's link, and the one-click
unsubscribe (RFC 8058) stops everything. A worker killed mid-batch and restarted delivers
every message, each under one Message-ID. SQLite and PostgreSQL."""
from __future__ import annotations

import re
import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, insert, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from conftest import ROOT
from helpers.complaints import add_business
from helpers.files import xlsx
from helpers.mailbox import links_in, start_mailbox
from portal.accounts.rules import cli_actor
from portal.importers.sampling import import_sampling
from portal.notices import delivery, fanout, follows
from portal.notices.models import ACTIVE, BUSINESS, SENT, Delivery, Follow, NoticeContact, NoticeEvent
from portal.personal import keyed_hash, encrypt
from portal.sampling.models import SamplingBatch

PUBLIC = "http://portal.test"
ACTOR = cli_actor("test")


def run_sampling_import(portal, data: bytes, filename: str):
    """An announcement imported as the import page does it: in one transaction of the caller's."""
    with portal.db.write() as session:
        return import_sampling(session, ACTOR, data, filename, portal.profile)


@pytest.fixture
def mailbox():
    box, controller, port = start_mailbox()
    box.port = port
    yield box
    controller.stop()


@pytest.fixture
def notify_env(db_url, tmp_path, monkeypatch, mailbox):
    """The portal's settings as the pages read them: this database, mail to the mailbox."""
    from portal.config import load_settings

    values = {"PORTAL_DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp_path / "var"), "PORTAL_DEMO": "0",
              "PORTAL_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}", "PORTAL_PUBLIC_URL": PUBLIC,
              "PORTAL_MAIL_FROM": "食品安全信息 <notices@food.example.gov.cn>"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PORTAL_JURISDICTION", raising=False)
    from portal.runtime import get_portal

    settings = load_settings()
    return get_portal(settings), settings


def failing_file(unit: str, food: str = "腊肉", day: str = "2026-11-20") -> bytes:
    return xlsx([["食品名称", "被抽样单位名称", "被抽样单位地址", "公告日期", "不合格项目║检验结果║标准值"],
                 [food, unit, "张家界市永定区示例路 1 号", day, "亚硝酸盐║45mg/kg║≤30mg/kg"]])


def web(portal, settings) -> TestClient:
    from portal.web.notices import notice_routes

    return TestClient(Starlette(routes=notice_routes(lambda: portal, settings)))


def local(link: str) -> str:
    """A link from a mail, as the test client asks for it (same path and query)."""
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC
    return f"{parts.path}?{parts.query}"


def follow_on_business_page(business_id: int, email: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.query_params["id"] = str(business_id)
    at.switch_page("pages/business.py").run()
    assert not at.exception
    box = next(t for t in at.text_input if t.label == "电子邮箱")
    box.input(email)
    next(b for b in at.button if b.label == "发送确认邮件").click()
    at.run()
    assert not at.exception
    return at


def test_follow_confirm_notice_unsubscribe(notify_env, mailbox):
    portal, settings = notify_env
    business_id = add_business(portal, "张家界示例快餐店")
    at = follow_on_business_page(business_id, "citizen@example.com")
    assert any("确认邮件已发出" in s.value for s in at.success)
    with portal.db.read() as session:   # stored encrypted, found by its keyed hash
        contact = session.scalars(select(NoticeContact)).one()
        assert "citizen" not in contact.address_enc and "citizen" not in contact.address_hash
        assert session.scalar(select(Follow.status)) == "pending"

    stats = delivery.run_once(portal.db, settings)
    assert stats.sent == 1
    [confirmation] = mailbox.wait_for(1)
    assert confirmation["To"] == "citizen@example.com"
    assert "张家界示例快餐店" in confirmation["Subject"]
    confirm_link = next(link for link in links_in(confirmation) if "/notices/confirm" in link)
    client = web(portal, settings)
    page = client.get(local(confirm_link))          # opening the link changes nothing yet
    assert page.status_code == 200 and "确认关注" in page.text and "citizen" not in page.text
    with portal.db.read() as session:
        assert session.scalar(select(Follow.status)) == "pending"
    done = client.post(local(confirm_link), data={"do": "confirm"})
    assert done.status_code == 200 and "已确认关注" in done.text
    with portal.db.read() as session:
        assert session.scalar(select(Follow.status)) == ACTIVE

    report = run_sampling_import(portal, failing_file("张家界示例快餐店"), "fail.xlsx")
    assert report.refused is None and report.imported == 1
    with portal.db.read() as session:
        batch_id = session.scalar(select(func.max(Delivery.id)))   # nothing fanned out yet
        assert session.scalar(select(func.count()).select_from(NoticeEvent)
                              .where(NoticeEvent.fanned_out_at.is_(None))) == 1
        from portal.sampling.models import SamplingBatch

        batch_id = session.scalar(select(SamplingBatch.id).where(SamplingBatch.sampled_business_id == business_id))
    stats = delivery.run_once(portal.db, settings)
    assert (stats.fanned_out, stats.sent) == (1, 1)   # one delivery, one mail
    notice = mailbox.wait_for(2)[1]
    assert "不合格" in notice["Subject"] and "腊肉" in notice.get_content()
    assert f"{PUBLIC}/sampling?batch={batch_id}&scope=all" in links_in(notice)
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notice["Message-ID"] != confirmation["Message-ID"]
    unsubscribe = notice["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe in links_in(notice)

    # The mail program's one-click unsubscribe: a POST to the header's address.
    gone = client.post(local(unsubscribe), content=b"List-Unsubscribe=One-Click",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert gone.status_code == 200 and "已退订" in gone.text
    with portal.db.read() as session:   # the address erased, with its follows
        assert session.scalar(select(func.count()).select_from(NoticeContact)) == 0
        assert session.scalar(select(func.count()).select_from(Follow)) == 0
    run_sampling_import(portal, failing_file("张家界示例快餐店", "香肠"), "fail2.xlsx")
    stats = delivery.run_once(portal.db, settings)
    assert stats.sent == 0
    time.sleep(0.3)
    assert len(mailbox.messages) == 2
    assert client.get(local(confirm_link)).status_code == 404      # dead with the contact


def test_follow_requests_are_rate_limited_per_address(notify_env, mailbox):
    portal, settings = notify_env
    business_id = add_business(portal, "张家界示例快餐店")
    from portal.clients import Client
    from portal.validation import InputError

    for n in range(3):
        with portal.db.write() as session:
            follows.request_follow(session, settings.secret_key, Client(f"s{n}", f"10.0.0.{n}"),
                                   {"email": "stranger@example.com", "topic": BUSINESS,
                                    "subject": str(business_id)})
    with pytest.raises(InputError) as refused, portal.db.write() as session:
        follows.request_follow(session, settings.secret_key, Client("s9", "10.0.0.9"),
                               {"email": "Stranger@EXAMPLE.com ", "topic": BUSINESS, "subject": str(business_id)})
    assert "limit" in refused.value.errors
    for bad in ("not-an-address", "a@b", "x@example.com\r\nBcc: victim@example.com"):
        with pytest.raises(InputError) as wrong, portal.db.write() as session:
            follows.request_follow(session, settings.secret_key, Client("s", "10.0.1.1"),
                                   {"email": bad, "topic": BUSINESS, "subject": str(business_id)})
        assert "email" in wrong.value.errors
    assert client_forged_links_are_refused(portal, settings)


def client_forged_links_are_refused(portal, settings) -> bool:
    client = web(portal, settings)
    with portal.db.read() as session:
        follow_id = session.scalar(select(Follow.id))
    for path in (f"/notices/confirm?t={follow_id}.{'0' * 32}", "/notices/manage?t=1.x",
                 "/notices/confirm?t=../../etc"):
        assert client.post(path, data={"do": "confirm"}).status_code in (404, 200)
    with portal.db.read() as session:
        return session.scalar(select(Follow.status).where(Follow.id == follow_id)) == "pending"


def many_followers(portal, settings, business_id: int, count: int) -> None:
    """`count` confirmed followers of one business, written in bulk."""
    with portal.db.write() as session:
        session.execute(insert(NoticeContact.__table__), [
            {"channel": "email", "address_hash": keyed_hash(settings.secret_key, "notice:email", f"f{n}@example.com"),
             "address_enc": encrypt(settings.secret_key, f"f{n}@example.com"), "link_key": f"{n:032d}",
             "bounces": 0, "created_at": fanout.utcnow()} for n in range(count)])
        ids = list(session.scalars(select(NoticeContact.id)))
        session.execute(insert(Follow.__table__), [
            {"contact_id": i, "topic": BUSINESS, "subject": str(business_id), "status": ACTIVE,
             "created_at": fanout.utcnow()} for i in ids])


def test_worker_killed_mid_batch_delivers_every_message_once(db_url, tmp_path):
    box, controller, port = start_mailbox(delay=0.01)
    try:
        env = {**os.environ, "PORTAL_DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp_path / "var"),
               "PORTAL_DEMO": "0", "PORTAL_SMTP_URL": f"smtp://127.0.0.1:{port}", "PORTAL_PUBLIC_URL": PUBLIC,
               "PORTAL_MAIL_FROM": "notices@food.example.gov.cn"}
        env.pop("PORTAL_JURISDICTION", None)
        from portal.bootstrap import bootstrap
        from portal.config import load_settings

        settings = load_settings(env)
        portal = bootstrap(settings)
        business_id = add_business(portal, "张家界示例快餐店")
        count = 300
        many_followers(portal, settings, business_id, count)
        run_sampling_import(portal, failing_file("张家界示例快餐店"), "fail.xlsx")
        command = [sys.executable, "-m", "portal", "notify", "worker", "--idle", "0.2", "--batch", "50",
                   "--lease", "3"]
        first = subprocess.Popen(command, cwd=ROOT, env=env)
        box.wait_for(120, seconds=90)
        first.send_signal(signal.SIGKILL)          # mid-batch: no chance to mark or release
        first.wait()
        killed_at = len(box.messages)
        assert 0 < killed_at < count
        second = subprocess.Popen(command, cwd=ROOT, env=env)
        try:
            deadline = time.time() + 120
            while time.time() < deadline:
                with portal.db.read() as session:
                    sent = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == SENT))
                if sent == count:
                    break
                time.sleep(0.5)
        finally:
            second.terminate()
            second.wait(timeout=20)
        ids = [m["Message-ID"] for m in box.messages]
        recipients = {m["Message-ID"]: m["To"] for m in box.messages}
        assert len(set(ids)) == count                          # every message arrived
        assert len(ids) - len(set(ids)) <= 50                  # a repeat only of the killed batch,
        assert len(set(recipients.values())) == count          # under its own Message-ID
        with portal.db.read() as session:
            assert session.scalar(select(func.count()).select_from(Delivery)) == count
    finally:
        controller.stop()


def test_complaint_notices_and_code_recovery(notify_env, mailbox):
    """With an e-mail at filing: the number and code by mail, a notice at each public step
    (none for the handler's internal ones), and a new code for whoever reads that mailbox."""
    from helpers.complaints import client as citizen, complaint_form
    from helpers.db import official
    from portal.complaints import filing, handling

    portal, settings = notify_env
    business_id = add_business(portal, "张家界示例快餐店")
    with portal.db.write() as session:
        receipt = filing.submit(session, settings.secret_key, portal.profile.adcode,
                                complaint_form(business_id, email="Complainant@Example.com"), [], citizen(1))
    delivery.run_once(portal.db, settings)
    [filed] = mailbox.wait_for(1)
    assert filed["To"] == "complainant@example.com"
    assert receipt.tracking_no in filed["Subject"] and receipt.code in filed.get_content()
    with portal.db.read() as session:      # the code was kept (encrypted) only until sent
        assert session.scalar(select(func.count()).select_from(NoticeEvent)
                              .where(NoticeEvent.secret.is_not(None))) == 0
    handler = official(portal, "handler")
    with portal.db.write() as session:
        handling.accept(session, handler, receipt.complaint_id)
        handling.add_note(session, handler, receipt.complaint_id, "内部备注：先电话联系商户")
    delivery.run_once(portal.db, settings)
    accepted = mailbox.wait_for(2)[1]
    assert "已受理" in accepted["Subject"] and "内部备注" not in accepted.get_content()
    assert f"{PUBLIC}/complaint_track?no={receipt.tracking_no}" in links_in(accepted)
    time.sleep(0.3)
    assert len(mailbox.messages) == 2         # the internal note sent nothing

    # Forgot the code: a wrong address gets nothing, the right one a new code.
    with portal.db.write() as session:
        filing.recover_code(session, settings.secret_key, receipt.tracking_no, "someone@example.com", citizen(2))
        filing.recover_code(session, settings.secret_key, receipt.tracking_no.lower(), "complainant@example.com",
                            citizen(2))
    delivery.run_once(portal.db, settings)
    recovered = mailbox.wait_for(3)[2]
    time.sleep(0.3)
    assert len(mailbox.messages) == 3
    new_code = next(line for line in recovered.get_content().splitlines() if "新的查询码是" in line).split("：")[-1]
    with portal.db.write() as session:
        assert filing.find_case(session, settings.secret_key, receipt.tracking_no, receipt.code, citizen(3)) is None
        assert filing.find_case(session, settings.secret_key, receipt.tracking_no, new_code.strip(),
                                citizen(3)) is not None


def test_manage_page_unfollows_and_erases_with_the_last_follow(notify_env, mailbox):
    """The manage link from a mail lists what the address follows (never the address); a
    token made for one purpose opens no other page; removing the last follow erases it all."""
    from portal.notices import links

    portal, settings = notify_env
    business_id = add_business(portal, "张家界示例快餐店")
    follow_on_business_page(business_id, "reader@example.com")
    delivery.run_once(portal.db, settings)
    [mail] = mailbox.wait_for(1)
    manage = next(link for link in links_in(mail) if "/notices/manage" in link)
    confirm = next(link for link in links_in(mail) if "/notices/confirm" in link)
    client = web(portal, settings)
    page = client.get(local(manage))
    assert page.status_code == 200 and "张家界示例快餐店" in page.text and "reader" not in page.text
    assert page.headers["cache-control"] == "no-store"
    token = local(confirm).split("t=")[1]
    assert client.get(f"/notices/manage?t={token}").status_code == 404        # wrong purpose
    assert client.get(f"/notices/unsubscribe?t={token}").text.count("确认退订") == 0
    with portal.db.read() as session:
        follow_id = session.scalar(select(Follow.id))
    done = client.post(local(manage), data={"do": "unfollow", "follow": str(follow_id)})
    assert "已退订" in done.text
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(NoticeContact)) == 0
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert client.get(local(manage)).status_code == 404          # the link died with the address
    assert links.token_id("1.x") is None


def test_complaint_pages_mail_the_code_and_recover_it(app_env, monkeypatch, mailbox):
    """As a citizen does it on the pages: file with an e-mail, get the code by mail, forget
    it, ask 进度查询 for a new one, and open the case with the mailed code."""
    from helpers.pages import open_page, texts
    from portal.config import load_settings
    from portal.runtime import get_portal
    from test_complaint_pages import file_complaint

    monkeypatch.setenv("PORTAL_SMTP_URL", f"smtp://127.0.0.1:{mailbox.port}")
    monkeypatch.setenv("PORTAL_MAIL_FROM", "notices@food.example.gov.cn")
    monkeypatch.setenv("PORTAL_PUBLIC_URL", PUBLIC)
    settings = load_settings()
    portal = get_portal(settings)
    original_fill = __import__("test_complaint_pages")._fill

    def fill_with_email(at, description):
        original_fill(at, description)
        at.text_input(key="c_email").input("filer@example.com")

    monkeypatch.setattr("test_complaint_pages._fill", fill_with_email)
    at = file_complaint(app_env, "在米粉里吃出一根头发，米粉店后厨也不干净。")
    assert not at.exception
    delivery.run_once(portal.db, settings)
    [filed] = mailbox.wait_for(1)
    number = re.search(r"查询编号：(\w+)", filed.get_content()).group(1)
    assert number == at.session_state["complaint_receipt"].tracking_no     # the one shown

    track = open_page("pages/complaint_track.py")
    track.text_input(key="r_number").input(number)
    track.text_input(key="r_email").input("filer@example.com")
    next(b for b in track.button if b.label == "发送新的查询码").click()
    track.run()
    assert any("新的查询码已发到该邮箱" in s.value for s in track.success)
    delivery.run_once(portal.db, settings)
    recovered = mailbox.wait_for(2)[1]
    code = re.search(r"新的查询码是：(\w+)", recovered.get_content()).group(1)
    track = open_page("pages/complaint_track.py")
    track.text_input[0].input(number)
    track.text_input[1].input(code)
    next(b for b in track.button if b.label == "查询").click()
    track.run()
    assert not track.exception and "查询编号或查询码不对" not in texts(track)
    assert number in texts(track) and "已提交" in texts(track)     # the case opened


def test_follow_every_failed_batch_from_the_sampling_page(notify_env, mailbox):
    """抽检结果 offers "every failed batch" (and the chosen district or category): a follower
    of every failed batch hears of one sampled at any business."""
    from streamlit.testing.v1 import AppTest

    portal, settings = notify_env
    add_business(portal, "张家界示例米粉店")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/sampling.py").run()
    assert not at.exception
    next(t for t in at.text_input if t.label == "电子邮箱").input("watcher@example.com")
    next(b for b in at.button if b.label == "发送确认邮件").click()
    at.run()
    delivery.run_once(portal.db, settings)
    [confirmation] = mailbox.wait_for(1)
    assert "所有不合格抽检" in confirmation["Subject"]
    confirm_link = next(link for link in links_in(confirmation) if "/notices/confirm" in link)
    web(portal, settings).post(local(confirm_link), data={"do": "confirm"})
    run_sampling_import(portal, failing_file("张家界示例米粉店", "米粉"), "f.xlsx")
    delivery.run_once(portal.db, settings)
    notice = mailbox.wait_for(2)[1]
    assert "米粉" in notice.get_content() and "所有不合格抽检" in notice.get_content()


POISON = "=?utf-8?q?a=0D=0ABcc=3A_x=40evil.cn?=@x.cn"   # an RFC 2047 word decoding to a line break


def test_an_address_no_mail_can_carry_is_refused_and_a_stored_one_fails_alone(notify_env, mailbox):
    """An encoded word in an address passed the form's check once; a mail library refuses it
    when building the mail. It is refused now, and one stored before fails alone: the other
    followers get their notice, and the address is not counted as a bounce."""
    from portal.notices.models import FAILED
    from portal.validation import normalise_email

    assert normalise_email(POISON) is None and normalise_email("a.b+c@example.com") == "a.b+c@example.com"
    portal, settings = notify_env
    business_id = add_business(portal, "张家界示例快餐店")
    many_followers(portal, settings, business_id, 3)
    with portal.db.write() as session:      # the first follower's address, stored before the check
        first = session.scalars(select(NoticeContact).order_by(NoticeContact.id)).first()
        first.address_enc = encrypt(settings.secret_key, POISON)
    report = run_sampling_import(portal, failing_file("张家界示例快餐店"), "fail.xlsx")
    assert report.imported == 1
    stats = delivery.run_once(portal.db, settings)
    assert (stats.sent, stats.failed) == (2, 1)
    assert sorted(m["To"] for m in mailbox.wait_for(2)) == ["f1@example.com", "f2@example.com"]
    with portal.db.read() as session:
        statuses = dict(session.execute(select(Delivery.contact_id, Delivery.status)).all())
        assert statuses[first.id] == FAILED
        assert session.get(NoticeContact, first.id).bounces == 0
    assert delivery.run_once(portal.db, settings).sent == 0      # nothing stuck, nothing again


def test_only_a_category_of_published_batches_can_be_followed(notify_env):
    from portal.clients import Client
    from portal.validation import InputError

    portal, settings = notify_env
    run_sampling_import(portal, failing_file("张家界示例快餐店"), "fail.xlsx")
    with portal.db.read() as session:
        category = session.scalar(select(func.min(SamplingBatch.category)))
    client = Client(address="198.51.100.7", session_id="s")
    with portal.db.write() as session:
        follows.request_follow(session, settings.secret_key, client,
                               {"email": "c@example.com", "topic": "category", "subject": category})
        # Text typed into a link would be echoed in the confirmation mail's subject.
        with pytest.raises(InputError):
            follows.request_follow(session, settings.secret_key, client,
                                   {"email": "d@example.com", "topic": "category",
                                    "subject": "退款请加客服微信abc123或访问evil.cn"})
