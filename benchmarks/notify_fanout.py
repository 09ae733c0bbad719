"""notify_fanout: a failed batch at a business followed by 100,000 people becomes 100,000
deliveries (portal/notices/fanout.py: one INSERT ... SELECT per chunk of follows, each chunk
its own transaction), against the obvious way (read the followers, one INSERT each),
measured on a tenth and scaled; then the worker's send rate into a local SMTP server
(aiosmtpd on loopback), with every message marked sent. SQLite, then PostgreSQL when
PORTAL_BENCH_PG_URL (or PORTAL_TEST_DATABASE_URL) is set.

The database is the portal's own schema (migrations) with one business and one imported
announcement file holding a failed batch sampled there; followers are written directly in
bulk (the demo generator makes none: a demo follower's made-up address must never be
mailed). Target: <= 5 s for the 100,000 deliveries on each database (issue 18)."""
from __future__ import annotations

import io
import time

from benchmarks.common import line, log, on_each_database

FOLLOWERS = 100_000
SENDS = 2_000
TARGET_SECONDS = 5.0


def _failed_file(unit: str, food: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["食品名称", "被抽样单位名称", "被抽样单位地址", "公告日期", "不合格项目║检验结果║标准值"])
    sheet.append([food, unit, "张家界市永定区示例路 1 号", "2026-11-20", "亚硝酸盐║45mg/kg║≤30mg/kg"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _followers(portal, business_id: int, first: int, count: int) -> None:
    from sqlalchemy import select

    from portal.db import bulk_insert
    from portal.notices.models import ACTIVE, BUSINESS, Follow, NoticeContact
    from portal.personal import encrypt, keyed_hash
    from portal.timeutil import utcnow

    key, now = portal.settings.secret_key, utcnow()
    for start in range(first, first + count, 20_000):
        stop = min(start + 20_000, first + count)
        with portal.db.write() as session:
            bulk_insert(session, NoticeContact.__table__, [
                {"channel": "email", "address_hash": keyed_hash(key, "notice:email", f"f{n}@example.com"),
                 "address_enc": encrypt(key, f"f{n}@example.com"), "link_key": f"{n:032d}", "bounces": 0,
                 "created_at": now} for n in range(start, stop)])
            ids = session.scalars(select(NoticeContact.id).where(NoticeContact.id > 0)
                                  .order_by(NoticeContact.id.desc()).limit(stop - start)).all()
            bulk_insert(session, Follow.__table__, [
                {"contact_id": i, "topic": BUSINESS, "subject": str(business_id), "status": ACTIVE,
                 "created_at": now} for i in sorted(ids)])


def _business(portal, name: str) -> int:
    from portal.registry.models import Business

    with portal.db.write() as session:
        business = Business(name=name, sector="餐饮服务", business_type="餐馆", address="示例路 1 号",
                            district_adcode=portal.profile.districts[0].adcode,
                        lat=portal.profile.centre[0], lng=portal.profile.centre[1])
        session.add(business)
        session.flush()
        return business.id


def _event(portal, unit: str, food: str) -> int:
    from sqlalchemy import func, select

    from portal.accounts.rules import cli_actor
    from portal.importers.sampling import import_sampling
    from portal.notices.models import NoticeEvent

    with portal.db.write() as session:
        report = import_sampling(session, cli_actor("bench"), _failed_file(unit, food), f"{food}.xlsx",
                                 portal.profile)
    assert report.imported == 1, report
    with portal.db.read() as session:
        return session.scalar(select(func.max(NoticeEvent.id)))


def one(label: str, url: str, tmp: str, followers: int, sends: int) -> list[dict]:
    import sys
    from pathlib import Path

    from sqlalchemy import func, select

    from portal.bootstrap import bootstrap
    from portal.config import load_settings
    from portal.notices import delivery, fanout
    from portal.notices.models import SENT, Delivery, NoticeEvent

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from helpers.mailbox import start_mailbox

    box, controller, port = start_mailbox()
    try:
        settings = load_settings({"PORTAL_DATABASE_URL": url, "PORTAL_VAR_DIR": f"{tmp}/var", "PORTAL_DEMO": "0",
                                  "PORTAL_SMTP_URL": f"smtp://127.0.0.1:{port}",
                                  "PORTAL_MAIL_FROM": "notices@food.example.gov.cn",
                                  "PORTAL_PUBLIC_URL": "https://food.example.gov.cn"},
                                 secrets_path=Path(tmp) / "none.toml")
        portal = bootstrap(settings)
        crowded = _business(portal, "张家界示例人气饭店")
        quiet = _business(portal, "张家界示例小吃店")
        log(f"{label}: writing {followers:,} + {sends:,} followers …")
        _followers(portal, crowded, 0, followers)
        _followers(portal, quiet, followers, sends)
        # The baseline first, on its own event (a tenth of the followers, scaled).
        baseline_event = _event(portal, "张家界示例人气饭店", "腊肉")
        small = followers // 10
        start = time.perf_counter()
        written = fanout.one_per_follower(portal.db, baseline_event, limit=small)
        baseline = (time.perf_counter() - start) * followers / written
        log(f"{label}: one INSERT per follower: {written:,} in {baseline * written / followers:.2f} s")
        bulk_event = _event(portal, "张家界示例人气饭店", "香肠")
        start = time.perf_counter()
        count = fanout.fan_out(portal.db)
        seconds = time.perf_counter() - start
        with portal.db.read() as session:
            mine = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.event_id == bulk_event))
        log(f"{label}: bulk fan-out: {mine:,} deliveries in {seconds:.2f} s")
        records = [line("notify_fanout", f"fanout_seconds_{label}", seconds, "s", followers,
                        f"one INSERT per follower (ORM session), measured on {small:,} and scaled",
                        baseline, f"<= {TARGET_SECONDS} s for {followers:,} deliveries",
                        seconds <= TARGET_SECONDS and mine == followers, deliveries=mine, database=label)]
        # The send rate: only the quiet business's event is due (the others' deliveries are
        # parked in the future, as a backlog would be).
        with portal.db.write() as session:
            from sqlalchemy import update

            from portal.timeutil import utcnow
            from datetime import timedelta

            session.execute(update(Delivery).values(next_attempt_at=utcnow() + timedelta(days=1)))
        send_event = _event(portal, "张家界示例小吃店", "凉皮")
        start = time.perf_counter()
        stats = delivery.run_once(portal.db, settings)
        send_seconds = time.perf_counter() - start
        box.wait_for(sends, seconds=60)
        with portal.db.read() as session:
            sent = session.scalar(select(func.count()).select_from(Delivery).where(
                Delivery.event_id == send_event, Delivery.status == SENT))
        ids = {m["Message-ID"] for m in box.messages}
        log(f"{label}: sent {stats.sent:,} in {send_seconds:.2f} s ({stats.sent / send_seconds:.0f}/s)")
        records.append(line("notify_fanout", f"send_seconds_{label}", send_seconds, "s", sends,
                            "none: the worker's send rate into aiosmtpd on loopback (fan-out included)",
                            send_seconds, "every message sent once, marked sent, distinct Message-IDs",
                            sent == sends and len(ids) == sends == len(box.messages),
                            per_second=round(sends / send_seconds, 1), database=label))
        return records
    finally:
        controller.stop()


def run(quick: bool = False) -> list[dict]:
    followers, sends = (FOLLOWERS // 10, SENDS // 10) if quick else (FOLLOWERS, SENDS)
    records: list[dict] = []
    for found in on_each_database(one, followers, sends):
        records += found
    return records
