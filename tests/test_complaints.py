"""Complaints and reports: filing with validation and limits, tracking, handling with every
action audited, deadlines, merging, rating, statistics, erasure; SQLite and PostgreSQL."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from helpers.complaints import (NAME, PHONE, add_business, client, complaint_form, jpeg_with_gps,
                                phone_jpeg, png_of_pixels)
from helpers.db import count_rows, official
from portal.accounts import audit
from portal.accounts.permissions import PermissionDenied
from portal import workdays
from portal.complaints import deadlines, filing, handling, retention, stats
from portal.complaints.models import ACCEPTED, CLOSED, IN_PROGRESS, REFUSED, Complaint, ComplaintPhoto
from portal.timeutil import local_today
from portal.validation import InputError


@pytest.fixture
def handler(portal):
    return official(portal, "handler")


def file(portal, data, photos=(), who=0):
    with portal.db.write() as session:
        return filing.submit(session, portal.settings.secret_key, portal.profile.adcode, data,
                             list(photos), client(who))


def test_file_a_complaint_and_track_it(portal):
    business_id = add_business(portal)
    receipt = file(portal, complaint_form(business_id), [(jpeg_with_gps(), "a.jpg")])
    assert receipt.tracking_no.startswith("TS") and len(receipt.code) == 8
    assert receipt.due_kind == "accept" and receipt.due_on > local_today()
    with portal.db.read() as session:
        case = session.get(Complaint, receipt.complaint_id)
        # The phone is kept masked, as a keyed hash, and encrypted; never in clear.
        assert case.phone_masked == "138****5678"
        assert PHONE not in (case.phone_enc or "") and NAME not in (case.contact_name_enc or "")
        assert case.phone_hash and PHONE not in case.phone_hash
        photo = session.scalars(select(ComplaintPhoto)).one()
        assert photo.mime == "image/jpeg" and b"PhoneMaker" not in photo.content
        from PIL import Image
        import io
        assert not Image.open(io.BytesIO(photo.content)).getexif()  # GPS and all EXIF gone
    with portal.db.write() as session:
        found = filing.find_case(session, portal.settings.secret_key,
                                 receipt.tracking_no.lower(), " " + receipt.code, client(1))
        assert found is not None and found.id == receipt.complaint_id
        assert filing.find_case(session, portal.settings.secret_key, receipt.tracking_no,
                                "WRONGCODE", client(1)) is None


@pytest.mark.security
@pytest.mark.parametrize("field,value,expected", [
    ("description", "太短了", "至少需要 10 个字"),
    pytest.param("description", "长" * 100_000, "最多 2000 个字", id="description-100000-chars"),
    ("phone", "1381234567", "11 位手机号"),
    ("occurred_on", date.today() + timedelta(days=3), "不能晚于今天"),
    ("consent", False, "勾选同意"),
    ("category", "<script>", "选择问题类别"),
    ("claim", "", "诉求"),
])
def test_bad_input_is_refused_and_nothing_written(portal, field, value, expected):
    business_id = add_business(portal)
    with pytest.raises(InputError) as exc:
        file(portal, complaint_form(business_id, **{field: value}))
    assert expected in str(exc.value)
    assert count_rows(portal, Complaint) == 0


@pytest.mark.security
def test_bad_photos_are_refused(portal):
    business_id = add_business(portal)
    pdf = b"%PDF-1.7\n" + b"0" * 2000
    with pytest.raises(InputError) as exc:
        file(portal, complaint_form(business_id), [(pdf, "renamed.jpg")])
    assert "不是 JPEG 或 PNG" in exc.value.errors["photos"]
    with pytest.raises(InputError) as exc:
        file(portal, complaint_form(business_id), [(b"\xff\xd8\xff" + b"0" * (20 * 1024 * 1024), "big.jpg")])
    assert "超过 5 MB" in exc.value.errors["photos"]
    with pytest.raises(InputError) as exc:
        file(portal, complaint_form(business_id), [(jpeg_with_gps(), "x.jpg")] * 4)
    assert "最多上传 3 张" in exc.value.errors["photos"]
    assert count_rows(portal, Complaint) == 0 and count_rows(portal, ComplaintPhoto) == 0


@pytest.fixture
def decodes(monkeypatch):
    """The sizes at which Pillow decoded images (ImageFile.load) during the test."""
    from PIL import ImageFile

    seen, load = [], ImageFile.ImageFile.load

    def spy(image):
        if image.tile:                     # something left to decode
            seen.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return seen


def peak_memory() -> int:
    """This process's highest resident memory so far (bytes; Linux)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))


@pytest.fixture(scope="module")
def hostile_png():
    return png_of_pixels(6320, 6320)     # 114 KB; 3.5 s and ~400 MB to decode


@pytest.mark.security
def test_a_tiny_png_of_huge_dimensions_is_refused_from_its_header(portal, decodes, hostile_png):
    import time

    business_id = add_business(portal)
    peak, started = peak_memory(), time.perf_counter()
    with pytest.raises(InputError) as exc:
        file(portal, complaint_form(business_id), [(hostile_png, "bomb.png")])
    assert time.perf_counter() - started < 1.0 and peak_memory() - peak < 50 * 2**20
    assert "像素过多（6320×6320" in str(exc.value.errors["photos"]) and decodes == []
    assert count_rows(portal, Complaint) == 0


@pytest.mark.security
def test_photos_are_decoded_only_after_the_fields_and_the_limits(portal, decodes):
    from portal.complaints import rules

    business_id = add_business(portal)
    photo = [(phone_jpeg(), "phone.jpg")]
    with pytest.raises(InputError) as exc:         # every other field empty
        file(portal, {"kind": "", "category": "", "description": "", "consent": False}, photo)
    assert {"kind", "category", "description", "consent"} <= set(exc.value.errors)
    assert decodes == []
    for n in range(rules.limits()["per_phone_per_day"]):
        file(portal, complaint_form(business_id), who=n)
    with pytest.raises(InputError) as exc:         # the phone's limit for today is used up
        file(portal, complaint_form(business_id), photo, who=99)
    assert "limit" in exc.value.errors and decodes == []
    file(portal, complaint_form(business_id, phone="13900001111"), photo, who=100)
    # Decoded once, at half its size (draft): 2600×1950 of its 5200×3900 pixels.
    assert decodes == [(2600, 1950)]


@pytest.mark.security
def test_photo_decodes_at_once_are_bounded(monkeypatch):
    import threading
    import time

    from portal.complaints import photos

    checked = photos.check_photo(jpeg_with_gps(), "a.jpg")
    running, most, lock = [0], [0], threading.Lock()

    def slow_reencode(photo):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return photos.CleanPhoto(photo.mime, 1, 1, b"")

    monkeypatch.setattr(photos, "_reencode", slow_reencode)
    threads = [threading.Thread(target=photos.clean_photo, args=(checked,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == photos.DECODES_AT_ONCE == 2
    # A submission that cannot get a turn in time is told to try again, not left waiting.
    monkeypatch.setattr(photos, "DECODE_WAIT_SECONDS", 0.05)
    holders = [threading.Thread(target=photos.clean_photo, args=(checked,)) for _ in range(2)]
    for thread in holders:
        thread.start()
    time.sleep(0.05)
    with pytest.raises(photos.PhotoError) as busy:
        photos.clean_photo(checked)
    assert "服务器正忙" in str(busy.value.args[0])
    for thread in holders:
        thread.join()


def test_all_problems_come_together(portal):
    with pytest.raises(InputError) as exc:
        file(portal, complaint_form(None, description="短", contact_name="", phone=""))
    assert {"description", "contact_name", "phone", "business_name", "district_adcode"} <= \
        set(exc.value.errors)


def test_anonymous_report_and_unregistered_business(portal):
    district = portal.profile.districts[1].adcode
    receipt = file(portal, complaint_form(None, kind="report", business_name="路边无名烧烤摊",
                                          district_adcode=district, address="某街夜市",
                                          contact_name="", phone="", claim=""))
    assert receipt.tracking_no.startswith("JB") and receipt.due_kind == "decide"
    with portal.db.read() as session:
        case = session.get(Complaint, receipt.complaint_id)
        assert case.anonymous and case.phone_hash is None and case.business_id is None


def test_phone_limit_counts_local_days(portal):
    business_id = add_business(portal)
    for n in range(5):
        file(portal, complaint_form(business_id), who=n)
    with pytest.raises(InputError) as exc:
        file(portal, complaint_form(business_id, phone="138 1234 5678"), who=9)
    assert "同一手机号每天最多提交 5 件" in exc.value.errors["limit"]
    assert count_rows(portal, Complaint) == 5
    # Another number from a new session is fine; the same session is limited too.
    file(portal, complaint_form(business_id, phone="13900000000"), who=10)
    for _ in range(5):
        file(portal, complaint_form(business_id, phone="13700000001"), who=11)
    with pytest.raises(InputError) as exc:
        file(portal, complaint_form(business_id, phone="13700000002"), who=11)
    assert "同一浏览器" in exc.value.errors["limit"]


def test_limit_day_is_asia_shanghai(portal):
    """16:30 UTC is already the next day in Shanghai: a new allowance."""
    from datetime import datetime
    business_id = add_business(portal)
    late = datetime(2026, 11, 21, 15, 30)    # 23:30 in Shanghai, 21 Nov
    early = datetime(2026, 11, 21, 16, 30)   # 00:30 in Shanghai, 22 Nov
    with portal.db.write() as session:
        for n in range(5):
            filing.submit(session, portal.settings.secret_key, portal.profile.adcode,
                          complaint_form(business_id), [], client(n), now=late)
    with portal.db.write() as session:
        receipt = filing.submit(session, portal.settings.secret_key, portal.profile.adcode,
                                complaint_form(business_id), [], client(7), now=early)
    assert receipt.tracking_no[2:10] == "20261122"


def test_duplicates_are_shown_and_can_be_joined(portal):
    business_id = add_business(portal)
    receipt = file(portal, complaint_form(business_id))
    with portal.db.write() as session:
        cases = filing.open_cases_for_business(session, business_id)
        assert [c.complaint_id for c in cases] == [receipt.complaint_id]
        assert not hasattr(cases[0], "description") and not hasattr(cases[0], "phone_masked")
        assert filing.join_case(session, portal.settings.secret_key, receipt.complaint_id, client(5))
    with portal.db.write() as session:
        assert not filing.join_case(session, portal.settings.secret_key, receipt.complaint_id, client(5))
        assert session.get(Complaint, receipt.complaint_id).supporters == 1


def test_whole_handling_with_audit(portal, handler):
    business_id = add_business(portal)
    receipt = file(portal, complaint_form(business_id))
    secret = portal.settings.secret_key
    with portal.db.write() as session:
        handling.accept(session, handler, receipt.complaint_id)
        case = session.get(Complaint, receipt.complaint_id)
        assert case.status == ACCEPTED and case.due_kind == "close"
        handling.assign(session, handler, case.id, "永定区市场监督管理局")
        handling.add_note(session, handler, case.id, "已电话联系商户<script>")
        handling.request_information(session, handler, case.id, "请补充购物小票照片")
        assert case.status == IN_PROGRESS and case.awaiting_citizen
    with portal.db.write() as session:
        case = filing.find_case(session, secret, receipt.tracking_no, receipt.code, client())
        filing.add_information(session, case, "小票照片见附件", [(jpeg_with_gps(), "p.jpg")])
    with portal.db.write() as session:
        name, phone = handling.reveal_contact(session, handler, receipt.complaint_id, secret, "调解需要联系")
        assert (name, phone) == (NAME, PHONE)
        with pytest.raises(InputError):
            handling.close(session, handler, receipt.complaint_id, "不存在的结果", "经调解商户同意退款并赔偿。")
        handling.close(session, handler, receipt.complaint_id, "调解成功", "经调解，商户同意退款并赔偿 100 元。")
    with portal.db.write() as session:
        case = filing.find_case(session, secret, receipt.tracking_no, receipt.code, client())
        assert case.status == CLOSED and case.on_time and case.finished_working_days == 0
        public = [e.kind for e in case.events if e.public]
        assert public == ["submitted", "accepted", "in_progress", "request_info", "citizen_info", "closed"]
        assert "note" not in public and "assigned" not in public
        filing.rate(session, case, "满意", "处理很快")
        with pytest.raises(InputError):
            filing.rate(session, case, "满意", "")
    with portal.db.read() as session:
        _, entries = audit.search(session, audit.AuditFilter(object_type="complaint",
                                                             object_id=str(receipt.complaint_id)))
        logged = {e.action for e in entries}
        assert {"complaint_accept", "complaint_assign", "complaint_note", "complaint_request_info",
                "complaint_reveal_contact", "complaint_close"} <= logged
        assert all(PHONE not in (e.detail or "") for e in entries)
        summary = stats.summary(session)
        assert (summary.received, summary.finished, summary.on_time_rate, summary.satisfaction) == \
            (1, 1, 100.0, 100.0)


def test_refusal_needs_a_legal_ground(portal, handler):
    receipt = file(portal, complaint_form(add_business(portal)))
    with portal.db.write() as session:
        with pytest.raises(InputError):
            handling.refuse(session, handler, receipt.complaint_id, "我不想处理")
        handling.refuse(session, handler, receipt.complaint_id, handling.rules.refusal_grounds()[0])
    with portal.db.read() as session:
        case = session.get(Complaint, receipt.complaint_id)
        assert case.status == REFUSED and case.finished_on == local_today()


def test_merge_then_close_answers_both(portal, handler):
    business_id = add_business(portal)
    first = file(portal, complaint_form(business_id), who=1)
    second = file(portal, complaint_form(business_id, phone="13900001111"), who=2)
    with portal.db.write() as session:
        handling.accept(session, handler, first.complaint_id)
        handling.merge(session, handler, second.complaint_id, first.tracking_no)
        total, rows = handling.queue(session, handling.QueueFilter())
        assert [r.complaint_id for r in rows] == [first.complaint_id]
        handling.close(session, handler, first.complaint_id, "调解成功", "商户已向两位消费者退款。")
    with portal.db.read() as session:
        merged = session.get(Complaint, second.complaint_id)
        assert merged.status == CLOSED and merged.reply == "商户已向两位消费者退款。"


def test_report_extension_once(portal, handler):
    receipt = file(portal, complaint_form(None, kind="report", business_name="某食品作坊",
                                          district_adcode=portal.profile.districts[0].adcode,
                                          contact_name="", phone="", claim=""))
    with portal.db.write() as session:
        before = session.get(Complaint, receipt.complaint_id).due_on
        handling.extend(session, handler, receipt.complaint_id, "需要联合公安核查")
        assert session.get(Complaint, receipt.complaint_id).due_on > before
        with pytest.raises(InputError):
            handling.extend(session, handler, receipt.complaint_id, "再次延长试试")


def test_queue_puts_overdue_first_and_counts_working_days(portal, handler):
    business_id = add_business(portal)
    old = file(portal, complaint_form(business_id), who=1)
    new = file(portal, complaint_form(business_id, phone="13900002222"), who=2)
    with portal.db.write() as session:
        case = session.get(Complaint, old.complaint_id)
        case.received_on = date(2026, 9, 26)
        case.due_on = date(2025, 10, 13)
    with portal.db.read() as session:
        _, rows = handling.queue(session, handling.QueueFilter(), today=date(2025, 10, 15))
    assert rows[0].complaint_id == old.complaint_id
    assert rows[0].working_days_left == -2 and rows[0].urgency == "已逾期"
    assert rows[1].complaint_id == new.complaint_id


def test_entering_a_year_makes_provisional_deadlines_exact(portal, handler, admin):
    receipt = file(portal, complaint_form(add_business(portal)))
    with portal.db.write() as session:
        case = session.get(Complaint, receipt.complaint_id)
        case.received_on, case.due_kind = date(2026, 12, 28), "accept"
        deadlines.recompute_open_deadlines(session)
        assert case.due_provisional and case.due_on == date(2027, 1, 6)
    rows = workdays.parse_rows([["日期", "类型"], *[[f"2027-01-0{d}", "休"] for d in (1, 2, 3)],
                                *[[f"2027-02-{d:02d}", "休"] for d in range(10, 17)]])
    with portal.db.write() as session:
        summary = deadlines.enter_year(session, admin[0], rows, "国务院办公厅关于2027年部分节假日安排的通知（测试）")
        assert summary["deadlines_recomputed"] == 1
    with portal.db.read() as session:
        case = session.get(Complaint, receipt.complaint_id)
        # 29, 30, 31 Dec, then Jan 1 is now a holiday: 4, 5, 6, 7 -> 7 Jan.
        assert not case.due_provisional and case.due_on == date(2027, 1, 7)
    with portal.db.write() as session, pytest.raises(PermissionDenied):
        deadlines.enter_year(session, handler, rows, "国务院通知")


def test_personal_data_erased_after_retention(portal, handler):
    receipt = file(portal, complaint_form(add_business(portal)), [(jpeg_with_gps(), "a.jpg")])
    with portal.db.write() as session:
        handling.accept(session, handler, receipt.complaint_id)
        handling.close(session, handler, receipt.complaint_id, "调解成功", "双方达成一致，已退款。")
        session.get(Complaint, receipt.complaint_id).finished_on = date(2022, 1, 1)
    with portal.db.write() as session:
        assert retention.erase_expired(session, 3) == 1
        assert retention.erase_expired(session, 3) == 0
    with portal.db.read() as session:
        case = session.get(Complaint, receipt.complaint_id)
        assert case.phone_enc is None and case.phone_masked is None and case.contact_name_enc is None
        assert case.description == retention.ERASED and case.category == "食品变质/过期"
        _, entries = audit.search(session, audit.AuditFilter(action="complaint_erase_personal"))
        assert len(entries) == 1
    assert count_rows(portal, ComplaintPhoto) == 0


@pytest.mark.security
def test_phone_and_id_numbers_in_the_citizens_own_words_are_stored_masked(portal, handler):
    """As survey answers are: the description, claim, added information and rating comment."""
    receipt = file(portal, complaint_form(
        add_business(portal), description="我的电话 139-1234-5678，身份证 430802199001011234，牛奶过期了。",
        claim="退款，打 13912345678 联系我"))
    with portal.db.write() as session:
        case = session.get(Complaint, receipt.complaint_id)
        filing.add_information(session, case, "换个号码：138 8765 4321", [])
        handling.accept(session, handler, receipt.complaint_id)
        handling.close(session, handler, receipt.complaint_id, "调解成功", "双方达成一致，已退款。")
    with portal.db.write() as session:
        filing.rate(session, session.get(Complaint, receipt.complaint_id), "满意", "回访请拨13700001111")
    with portal.db.read() as session:
        case = session.get(Complaint, receipt.complaint_id)
        stored = " ".join([case.description, case.claim, case.rating_comment,
                           *(event.text or "" for event in case.events)])
    assert "139****5678" in case.description and "430802********1234" in case.description
    assert case.claim == "退款，打 139****5678 联系我" and "138****4321" in stored
    for secret in ("12345678", "1234 5678", "1234-5678", "8765 4321", "199001011234", "00001111"):
        assert secret not in stored.replace("139****5678", ""), secret


@pytest.mark.security
def test_officials_without_the_role_are_refused(portal, admin):
    from portal.accounts.rules import Actor

    receipt = file(portal, complaint_form(add_business(portal)))
    publisher = Actor(99, "pub", "发布员", frozenset({"publisher"}))
    with portal.db.write() as session, pytest.raises(PermissionDenied):
        handling.accept(session, publisher, receipt.complaint_id)
    with portal.db.write() as session, pytest.raises(PermissionDenied):
        handling.reveal_contact(session, publisher, receipt.complaint_id, "k" * 40, "看看")


@pytest.mark.security
def test_public_statistics_never_carry_personal_data(portal, handler):
    business_id = add_business(portal)
    receipt = file(portal, complaint_form(business_id))
    with portal.db.write() as session:
        handling.accept(session, handler, receipt.complaint_id)
        handling.close(session, handler, receipt.complaint_id, "调解成功", "已退款 50 元给王小明。")
    with portal.db.read() as session:
        total, cases = stats.finished_cases(session)
        assert total == 1
        text = repr(cases) + repr(stats.breakdown(session, "category")) + repr(stats.by_day(session))
        assert NAME not in text and PHONE not in text and "过期三天" not in text
        assert stats.business_counts(session, business_id) == {"received": 1, "finished": 1, "open": 0}


@pytest.mark.security
def test_one_address_gets_notices_for_a_few_complaints_a_day(portal):
    """The e-mail for notices is mailed at once: counted a day, like the phone, and refused at
    its field (filing without it still works)."""
    from portal.complaints import rules

    business_id = add_business(portal)
    most = rules.limits()["per_email_per_day"]
    for n in range(most):
        file(portal, complaint_form(business_id, phone=f"1390000{n:04d}", email="Victim@Example.com"), who=n)
    with pytest.raises(InputError) as exc:
        file(portal, complaint_form(business_id, phone="13911110000", email="victim@example.com"), who=50)
    assert set(exc.value.errors) == {"email"}
    file(portal, complaint_form(business_id, phone="13911110000", email=""), who=50)
