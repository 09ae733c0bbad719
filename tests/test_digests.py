"""Digests and retention of notices, end to end with a real SMTP server on loopback
(aiosmtpd), SQLite and PostgreSQL. Time is driven by run_once's `now`, never by sleeping:

- a follower who chose 每日汇总 gets nothing when the news comes and one mail at the digest
  hour listing all of it; an 即时 follower of the same business is mailed as before; the
  choice is changed on the manage page reached through the link in the mail;
- a worker killed while sending the digests and restarted sends each digest once;
- each working-day morning every handler with a work address gets the open cases due within
  two working days (hand-counted across the 2026 National Day holiday), nothing on a Sunday
  or a holiday, and nothing twice;
- an address is erased after MAX_BOUNCES permanent refusals in a row, and an unconfirmed
  follow after UNCONFIRMED_DAYS.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from conftest import ROOT
from helpers.cli import call_cli
from helpers.complaints import NAME, add_business, client as citizen, complaint_form
from helpers.db import official
from helpers.mailbox import Mailbox, links_in, start_mailbox
from helpers.server import free_port
from portal.accounts import actions
from portal.accounts.models import AuditEntry, Official
from portal.accounts.rules import cli_actor
from portal.notices import delivery, digests, fanout, follows, rules
from portal.notices.models import (ACTIVE, BUSINESS, DIGESTED, HELD, SENT, Delivery, Follow, HandlerDigest,
                                   NoticeContact)
from portal.timeutil import LOCAL_TZ, local_midnight_utc, utcnow
from test_notices import (PUBLIC, failing_file, local, mailbox, many_followers, notify_env,  # noqa: F401
                          run_sampling_import, web)

ADMIN = cli_actor("test")


def local_moment(day: date, hour: int, minute: int = 0) -> datetime:
    """Naive UTC of a Beijing-time moment (run_once's `now`)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ).astimezone(
        timezone.utc).replace(tzinfo=None)


def next_digest_moment(hour: int) -> datetime:
    """The first digest hour after the present one: news fanned out now is in its digest."""
    return digests.cutoff(digests.digest_day(utcnow(), hour) + timedelta(days=1), hour)


def follow_on_business_page(business_id: int, email: str, cadence: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.query_params["id"] = str(business_id)
    at.switch_page("pages/business.py").run()
    assert not at.exception
    next(t for t in at.text_input if t.label == "电子邮箱").input(email)
    choice = next(r for r in at.radio if r.label == "邮件频率")
    assert choice.value == follows.IMMEDIATE           # 即时 unless the citizen chooses
    choice.set_value(cadence)
    next(b for b in at.button if b.label == "发送确认邮件").click()
    at.run()
    assert not at.exception and any("确认邮件已发出" in s.value for s in at.success)


def confirm_from_mail(client, message) -> str:
    link = next(link for link in links_in(message) if "/notices/confirm" in link)
    page = client.get(local(link))
    done = client.post(local(link), data={"do": "confirm"})
    assert done.status_code == 200 and "已确认关注" in done.text
    return page.text


def test_daily_digest_holds_the_news_and_sends_one_mail_at_the_digest_hour(notify_env, mailbox):
    portal, settings = notify_env
    hour = settings.digest_hour
    assert hour == 8                                            # the documented default
    shop = add_business(portal, "张家界示例快餐店")
    bakery = add_business(portal, "张家界示例面包坊")
    follow_on_business_page(shop, "daily@example.com", follows.DAILY)
    follow_on_business_page(bakery, "daily@example.com", follows.DAILY)
    follow_on_business_page(shop, "instant@example.com", follows.IMMEDIATE)
    delivery.run_once(portal.db, settings)
    confirmations = mailbox.wait_for(3)
    client = web(portal, settings)
    for message in confirmations:
        page = confirm_from_mail(client, message)
        wanted = "每日汇总" if message["To"] == "daily@example.com" else "即时"
        assert wanted in page                                   # the confirm page says which

    # The news comes: the 即时 follower is mailed at once, the 每日汇总 one not.
    run_sampling_import(portal, failing_file("张家界示例快餐店", "腊肉"), "one.xlsx")
    run_sampling_import(portal, failing_file("张家界示例面包坊", "面包"), "two.xlsx")
    stats = delivery.run_once(portal.db, settings)
    assert stats.sent == 1 and stats.digests == 0
    instant = mailbox.wait_for(4)[3]
    assert instant["To"] == "instant@example.com" and "腊肉" in instant.get_content()
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == HELD)) == 2
    at = next_digest_moment(hour)
    assert delivery.run_once(portal.db, settings, now=at - timedelta(minutes=1)).sent == 0
    time.sleep(0.3)
    assert len(mailbox.messages) == 4

    # The digest hour: one mail listing both, with their links and the RFC 8058 headers.
    stats = delivery.run_once(portal.db, settings, now=at)
    assert (stats.digests, stats.sent) == (1, 1)
    digest = mailbox.wait_for(5)[4]
    assert digest["To"] == "daily@example.com" and "每日汇总" in digest["Subject"]
    body = digest.get_content()
    assert "腊肉" in body and "面包" in body and "2 条" in digest["Subject"]
    from portal.sampling.models import SamplingBatch

    with portal.db.read() as session:
        batches = list(session.scalars(select(SamplingBatch.id).order_by(SamplingBatch.id)))
        assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == DIGESTED)) == 2
    for batch_id in batches:
        assert f"{PUBLIC}/sampling?batch={batch_id}&scope=all" in links_in(digest)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["List-Unsubscribe"].strip("<> ") in links_in(digest)
    assert "instant@" not in body and digest["Message-ID"].startswith("<notice.")
    # Again at the same hour, later that day, by a second worker: nothing more.
    for later in (at, at + timedelta(hours=3)):
        assert delivery.run_once(portal.db, settings, now=later).sent == 0
    time.sleep(0.3)
    assert len(mailbox.messages) == 5

    # The citizen opens 管理我的关注 from the digest and makes the shop 即时.
    manage = next(link for link in links_in(digest) if "/notices/manage" in link)
    page = client.get(local(manage))
    assert page.status_code == 200 and "daily@" not in page.text
    assert page.text.count('value="daily" selected') == 2
    with portal.db.read() as session:
        shop_follow = session.scalar(select(Follow.id).where(Follow.topic == BUSINESS, Follow.subject == str(shop),
                                                             Follow.digest.is_(True)))
    for forged in ("weekly", ""):                               # only the two choices are taken
        client.post(local(manage), data={"do": "cadence", "follow": str(shop_follow), "cadence": forged})
    saved = client.post(local(manage), data={"do": "cadence", "follow": str(shop_follow), "cadence": "immediate"})
    assert saved.status_code == 200 and saved.text.count('value="daily" selected') == 1
    run_sampling_import(portal, failing_file("张家界示例快餐店", "香肠", "2026-11-21"), "three.xlsx")
    stats = delivery.run_once(portal.db, settings, now=at + timedelta(hours=4))
    assert stats.sent == 2                                     # both followers, at once
    assert {m["To"] for m in mailbox.wait_for(7)[5:]} == {"daily@example.com", "instant@example.com"}


def test_worker_killed_mid_digest_sends_each_digest_once(db_url, tmp_path):
    """Digest hour 0: today's digest is due at once for news held before midnight. A worker
    is killed while sending them; the one started after it sends the rest; every contact has
    exactly one digest Message-ID."""
    box, controller, port = start_mailbox(delay=0.01)
    try:
        env = {**os.environ, "PORTAL_DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp_path / "var"),
               "PORTAL_DEMO": "0", "PORTAL_SMTP_URL": f"smtp://127.0.0.1:{port}", "PORTAL_PUBLIC_URL": PUBLIC,
               "PORTAL_MAIL_FROM": "notices@food.example.gov.cn", "PORTAL_DIGEST_HOUR": "0"}
        env.pop("PORTAL_JURISDICTION", None)
        from portal.bootstrap import bootstrap
        from portal.config import load_settings

        settings = load_settings(env)
        portal = bootstrap(settings)
        business_id = add_business(portal, "张家界示例快餐店")
        count = 240
        many_followers(portal, settings, business_id, count)
        with portal.db.write() as session:
            session.execute(update(Follow).values(digest=True))
        run_sampling_import(portal, failing_file("张家界示例快餐店"), "fail.xlsx")
        fanout.fan_out(portal.db)
        midnight = local_midnight_utc(digests.digest_day(utcnow(), 0))
        with portal.db.write() as session:          # yesterday's news
            session.execute(update(Delivery).values(created_at=midnight - timedelta(minutes=5)))
        command = [sys.executable, "-m", "portal", "notify", "worker", "--idle", "0.2", "--batch", "40",
                   "--lease", "3"]
        first = subprocess.Popen(command, cwd=ROOT, env=env)
        box.wait_for(90, seconds=90)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert 0 < len(box.messages) < count
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
        assert all("每日汇总" in m["Subject"] for m in box.messages)
        assert len(set(ids)) == count                            # one digest each
        assert len({m["To"] for m in box.messages}) == count
        assert len(ids) - len(set(ids)) <= 40                    # a repeat only of the killed claim
        with portal.db.read() as session:
            assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == DIGESTED)) \
                == count
    finally:
        controller.stop()


# --- handlers' morning digest -------------------------------------------------------------

WEDNESDAY = date(2026, 9, 30)       # the day before the 2026 National Day holiday (1–7 October)
# Due dates and whether the digest of that Wednesday lists them, counted by hand: working days
# after 30 September are 8 October (1), 9 October (2), Saturday 10 October (3, a make-up
# workday), 12 October (4). Counting calendar days instead would drop 8 and 9 October.
CASES = {"overdue": (date(2026, 9, 28), True), "today": (date(2026, 9, 30), True),
         "first": (date(2026, 10, 8), True), "second": (date(2026, 10, 9), True),
         "third": (date(2026, 10, 10), False), "later": (date(2026, 10, 12), False)}


def phone(n: int) -> str:
    return f"1391234{n:04d}"


def file_cases(portal, settings) -> dict[str, str]:
    from portal.complaints import filing
    from portal.complaints.models import CLOSED, Complaint

    business_id = add_business(portal, "张家界示例快餐店")
    numbers = {}
    for n, (name, (due, _)) in enumerate([*CASES.items(), ("closed", (date(2026, 10, 8), False))]):
        with portal.db.write() as session:
            receipt = filing.submit(session, settings.secret_key, portal.profile.adcode,
                                    complaint_form(business_id, phone=phone(n)), [], citizen(n + 1))
            case = session.get(Complaint, receipt.complaint_id)
            case.due_on = due
            if name == "closed":
                case.status = CLOSED
        numbers[name] = receipt.tracking_no
    return numbers


def test_handlers_get_the_cases_due_within_two_working_days_each_working_morning(notify_env, mailbox):
    portal, settings = notify_env
    numbers = file_cases(portal, settings)
    official(portal, "handler", "handler1")
    official(portal, "handler", "handler2")                     # no address: no mail
    official(portal, "analyst", "analyst1")
    official(portal, "handler", "handler3")
    with portal.db.write() as session:
        actions.set_email(session, ADMIN, "handler1", " Handler1@Example.GOV.cn ")
        actions.set_email(session, ADMIN, "analyst1", "analyst1@example.gov.cn")
        actions.set_email(session, ADMIN, "handler3", "handler3@example.gov.cn")
        actions.set_active(session, ADMIN, "handler3", False)  # disabled: no mail

    # Before the hour, on a Sunday, on a holiday weekday: nothing.
    for moment in (local_moment(WEDNESDAY, 7, 59), local_moment(date(2026, 10, 11), 8),
                   local_moment(date(2026, 10, 2), 9)):
        assert delivery.run_once(portal.db, settings, now=moment).handler_digests == 0
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(HandlerDigest)) == 0

    stats = delivery.run_once(portal.db, settings, now=local_moment(WEDNESDAY, 8))
    assert stats.handler_digests == 1
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == "handler1@example.gov.cn"
    body = mail.get_content()
    listed = {name for name, number in numbers.items() if number in body}
    assert listed == {name for name, (_, wanted) in CASES.items() if wanted}
    assert "4 件" in mail["Subject"] and "1 件已逾期" in mail["Subject"]
    assert "2026年10月9日" in body and "已逾期 2 个工作日" in body
    assert f"{PUBLIC}/complaint_queue" in links_in(mail)
    assert NAME not in body and not any(phone(n)[-4:] in body for n in range(len(numbers)))
    assert mail["Message-ID"].startswith("<handler-digest.")
    # Later that morning, and a second worker: nothing twice.
    for moment in (local_moment(WEDNESDAY, 8), local_moment(WEDNESDAY, 11)):
        assert delivery.run_once(portal.db, settings, now=moment).handler_digests == 0
    time.sleep(0.3)
    assert len(mailbox.messages) == 1
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(HandlerDigest)) == 1

    # Sunday 20 September 2026 is a make-up workday (调休): its digest is made, but nothing is
    # due within two working days of it (the earliest, 28 September, is the fifth), so no mail.
    assert delivery.run_once(portal.db, settings, now=local_moment(date(2026, 9, 20), 8, 30)).handler_digests == 0
    with portal.db.read() as session:
        assert session.scalar(select(HandlerDigest.status).where(HandlerDigest.day == date(2026, 9, 20))) == "dropped"
    time.sleep(0.3)
    assert len(mailbox.messages) == 1


def test_make_up_sunday_lists_what_falls_due_by_then(notify_env, mailbox):
    """On make-up workday Sunday 20 September: due 21 and 22 September are within two working
    days; 23 September (the third) is not."""
    from portal.complaints import filing
    from portal.complaints.models import Complaint

    portal, settings = notify_env
    official(portal, "handler", "handler1")
    with portal.db.write() as session:
        actions.set_email(session, ADMIN, "handler1", "handler1@example.gov.cn")
    business_id = add_business(portal, "张家界示例快餐店")
    numbers = {}
    for n, due in enumerate((date(2026, 9, 21), date(2026, 9, 22), date(2026, 9, 23))):
        with portal.db.write() as session:
            receipt = filing.submit(session, settings.secret_key, portal.profile.adcode,
                                    complaint_form(business_id), [], citizen(n + 1))
            session.get(Complaint, receipt.complaint_id).due_on = due
        numbers[due] = receipt.tracking_no
    assert delivery.run_once(portal.db, settings, now=local_moment(date(2026, 9, 19), 9)).handler_digests == 0
    assert delivery.run_once(portal.db, settings, now=local_moment(date(2026, 9, 20), 8)).handler_digests == 1
    body = mailbox.wait_for(1)[0].get_content()
    assert [due for due, number in numbers.items() if number in body] == [date(2026, 9, 21), date(2026, 9, 22)]


def test_an_official_work_address_is_validated_and_audited(notify_env):
    portal, _ = notify_env
    official(portal, "handler", "handler1")
    from portal.validation import InputError

    for bad in ("not-an-address", "a@b", "x@example.com\r\nBcc: victim@example.com", "x" * 250 + "@example.com"):
        with pytest.raises(InputError) as refused, portal.db.write() as session:
            actions.set_email(session, ADMIN, "handler1", bad)
        assert "email" in refused.value.errors
    with portal.db.write() as session:
        actions.set_email(session, ADMIN, "handler1", "Wang@Example.gov.cn")
        actions.set_email(session, ADMIN, "handler1", "wang@example.gov.cn")    # unchanged: no entry
        actions.set_email(session, ADMIN, "handler1", "")
    with portal.db.read() as session:
        assert session.scalar(select(Official.email).where(Official.username == "handler1")) is None
        entries = list(session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "official_set_email")
                                       .order_by(AuditEntry.id)))
    assert len(entries) == 2 and "wang@example.gov.cn" in entries[0]


def test_cli_sets_an_officials_work_address(db_url, tmp_path):
    env = {**os.environ, "PORTAL_DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp_path), "PORTAL_DEMO": "0"}
    env.pop("PORTAL_JURISDICTION", None)

    def run(*args, stdin=""):       # portal.cli.main in this process (tests/test_cli.py runs processes)
        return call_cli(list(args), env, stdin)

    assert run("users", "add", "wang.li", "--role", "handler", stdin="Handler-pass-1\n").returncode == 0
    done = run("users", "set-email", "wang.li", "Wang.Li@Example.gov.cn")
    assert done.returncode == 0 and "已设置账号 wang.li 的工作邮箱" in done.stdout
    assert "wang.li@example.gov.cn" in run("users", "list").stdout
    wrong = run("users", "set-email", "wang.li", "not an address")
    assert wrong.returncode == 2 and "有效的电子邮箱" in wrong.stderr
    assert run("users", "set-email", "wang.li", "").returncode == 0
    assert "wang.li@example.gov.cn" not in run("users", "list").stdout


def test_admin_sets_a_work_address_on_the_accounts_page(app_env):
    from helpers.pages import demo_password, open_page, sign_in, texts

    at = open_page("pages/login.py")
    sign_in(at, "demo_admin", demo_password(app_env, "demo_admin"))
    at.switch_page("pages/accounts.py").run()
    assert not at.exception
    at.selectbox(key="email_who").set_value("demo_handler").run()
    box = next(t for t in at.text_input if t.label == "工作邮箱")
    box.input("not an address")
    next(b for b in at.button if b.label == "保存邮箱").click()
    at.run()
    assert "请修改以下内容" in texts(at) and "工作邮箱" in texts(at)
    box = next(t for t in at.text_input if t.label == "工作邮箱")
    assert box.value == "not an address"                        # what was typed is kept
    box.input("handler@example.gov.cn")
    next(b for b in at.button if b.label == "保存邮箱").click()
    at.run()
    assert "已保存 demo_handler 的工作邮箱" in texts(at)
    from helpers.db import app_db

    with app_db(app_env).read() as session:
        assert session.scalar(select(Official.email).where(Official.username == "demo_handler")) \
            == "handler@example.gov.cn"
        assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "official_set_email"))


# --- retention ----------------------------------------------------------------------------


class Refusing(Mailbox):
    """A mail server that refuses (550) the addresses in `refused`, as a deleted mailbox does."""

    def __init__(self):
        super().__init__()
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing(db_url, tmp_path, monkeypatch):
    box = Refusing()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    from portal.config import load_settings
    from portal.runtime import get_portal

    for key, value in {"PORTAL_DATABASE_URL": db_url, "PORTAL_VAR_DIR": str(tmp_path / "var"), "PORTAL_DEMO": "0",
                       "PORTAL_SMTP_URL": f"smtp://127.0.0.1:{port}", "PORTAL_PUBLIC_URL": PUBLIC,
                       "PORTAL_MAIL_FROM": "notices@food.example.gov.cn"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PORTAL_JURISDICTION", raising=False)
    settings = load_settings()
    yield get_portal(settings), settings, box
    controller.stop()


def test_an_address_is_erased_after_three_refusals_in_a_row(refusing):
    portal, settings, box = refusing
    assert rules.MAX_BOUNCES == 3
    shop = add_business(portal, "张家界示例快餐店")
    from portal.clients import Client

    with portal.db.write() as session:
        follows.request_follow(session, settings.secret_key, Client("s", "10.0.0.1"),
                               {"email": "gone@example.com", "topic": BUSINESS, "subject": str(shop)})
    delivery.run_once(portal.db, settings)
    confirm_from_mail(web(portal, settings), box.wait_for(1)[0])

    def news(n: int, refused: bool) -> int:
        box.refused = {"gone@example.com"} if refused else set()
        run_sampling_import(portal, failing_file("张家界示例快餐店", f"腊肉{n}", f"2026-11-{n + 10}"), f"{n}.xlsx")
        delivery.run_once(portal.db, settings)
        with portal.db.read() as session:
            return session.scalar(select(NoticeContact.bounces))

    assert news(1, refused=True) == 1
    assert news(2, refused=True) == 2
    assert news(3, refused=False) == 0              # accepted: the count starts again
    assert news(4, refused=True) == 1
    assert news(5, refused=True) == 2
    assert news(6, refused=True) is None            # the third in a row: the address is erased
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Follow)) == 0
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert len(box.messages) == 2                    # the confirmation and news 3


def test_an_unconfirmed_follow_is_erased_after_seven_days(notify_env, mailbox):
    portal, settings = notify_env
    shop = add_business(portal, "张家界示例快餐店")
    from portal.clients import Client

    with portal.db.write() as session:
        follows.request_follow(session, settings.secret_key, Client("s", "10.0.0.1"),
                               {"email": "never@example.com", "topic": BUSINESS, "subject": str(shop)})
        follows.follow_complaint(session, settings.secret_key, "kept@example.com", 1)
    started = utcnow()
    delivery.run_once(portal.db, settings, now=started + timedelta(days=rules.UNCONFIRMED_DAYS - 1))
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(NoticeContact)) == 2
    delivery.run_once(portal.db, settings, now=started + timedelta(days=rules.UNCONFIRMED_DAYS, minutes=1))
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(NoticeContact)) == 1      # the active one stays
        assert session.scalar(select(Follow.status)) == ACTIVE
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0      # its confirmation too


def test_a_complainants_notice_address_goes_with_the_cases_personal_data(notify_env, mailbox):
    """Complaint retention erases the address given for notices with the case's other personal
    data, unless it still follows something else."""
    from portal.complaints import filing
    from portal.complaints.models import CLOSED, Complaint
    from portal.complaints.retention import erase_expired

    portal, settings = notify_env
    shop = add_business(portal, "张家界示例快餐店")
    cases = []
    for n, email in enumerate(("only@example.com", "also@example.com")):
        with portal.db.write() as session:
            receipt = filing.submit(session, settings.secret_key, portal.profile.adcode,
                                    complaint_form(shop, email=email, phone=phone(n)), [], citizen(n))
            case = session.get(Complaint, receipt.complaint_id)
            case.status, case.finished_on = CLOSED, date(2020, 1, 2)
            cases.append(case.id)
    with portal.db.write() as session:           # the second also follows the shop
        contact = follows.complaint_contact(session, settings.secret_key, "also@example.com", cases[1])
        session.add(Follow(contact_id=contact, topic=BUSINESS, subject=str(shop), status=ACTIVE))
    with portal.db.write() as session:
        assert erase_expired(session, 3) == 2
    with portal.db.read() as session:
        assert session.scalar(select(func.count()).select_from(NoticeContact)) == 1
        assert session.scalar(select(func.count()).select_from(Follow)) == 1
        assert session.scalar(select(Follow.topic)) == BUSINESS
