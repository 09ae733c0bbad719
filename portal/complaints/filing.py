"""What citizens do: file a complaint or report, join an open one, track it, add
information, rate the handling. Every input is validated here, on the server."""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, field_validator
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal import personal, ratelimit
from portal.clients import Client
from portal.complaints import photos as photo_rules, rules
from portal.complaints.deadlines import first_deadline
from portal.complaints.models import (COMPLAINT, FINISHED_STATUSES, KIND_LABELS, OPEN_STATUSES,
                                      RATINGS, REPORT, SUBMITTED, Complaint, ComplaintEvent,
                                      ComplaintPhoto, ComplaintSupporter)
from portal.notices import events as notice_events
from portal.notices.follows import complaint_contact, follow_complaint, normalise_email
from portal.notices.models import CODE_RECOVERY, COMPLAINT_FILED, SMS
from portal.registry.models import Business, District
from portal.registry.queries import business_in
from portal.timeutil import local_today, to_local, utcnow
from portal.validation import CleanText, InputError, Message, parse

DUPLICATE_WINDOW_DAYS = 30
TRACKING_RANDOM, CODE_LENGTH = 6, 8
MAX_PHOTOS_PER_CASE = 6


# Free-text fields of the forms below (checked by clean_text). What citizens write about
# their own case is stored with phone and ID numbers masked, as survey answers are: handlers
# reach the complainant through the (encrypted) phone field. The business's name and address
# are kept as written: they identify the business to inspect.
Masked = AfterValidator(personal.mask_personal)
BusinessNameText = CleanText("商户名称", max_len=200)
AddressText = CleanText("地址", max_len=200)
DescriptionText = Annotated[CleanText("问题描述", min_len=10, max_len=2000, multiline=True), Masked]
ClaimText = Annotated[CleanText("诉求", max_len=500, multiline=True), Masked]
ContactNameText = CleanText("姓名", max_len=40)
InfoText = Annotated[CleanText("补充说明", min_len=2, max_len=2000, multiline=True), Masked]
CommentText = Annotated[CleanText("评价意见", max_len=500, multiline=True), Masked]


class ComplaintForm(BaseModel):
    kind: str
    business_id: int | None = None
    business_name: BusinessNameText = ""
    district_adcode: str = ""
    address: AddressText = ""
    lat: float | None = None
    lng: float | None = None
    category: str
    occurred_on: date | None = None
    description: DescriptionText = ""
    claim: ClaimText = ""
    contact_name: ContactNameText = ""
    phone: str = ""
    # Optional: mail the tracking number and code now, and a notice at each step (consent).
    email: str = ""
    # Optional: the same by SMS to `phone` (offered only where an SMS gateway is set).
    sms_notices: bool = False
    consent: bool = False

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, v):
        text = str(v or "").strip()
        if not text:
            return ""
        address = normalise_email(text)
        if address is None:
            raise ValueError(Message("电子邮箱格式不对，例如 name@example.com；不需要邮件通知请留空"))
        return address

    @field_validator("kind")
    @classmethod
    def _kind(cls, v):
        if v not in (COMPLAINT, REPORT):
            raise ValueError(Message("请选择“投诉”或“举报”"))
        return v

    @field_validator("category")
    @classmethod
    def _category(cls, v):
        if v not in rules.categories():
            raise ValueError(Message("请从列表中选择问题类别"))
        return v

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, v):
        text = str(v or "").strip()
        if not text:
            return ""
        mobile = personal.normalise_mobile(text)
        if mobile is None:
            raise ValueError(Message("手机号码格式不对：请填写 11 位手机号，如 13812345678"))
        return mobile

    @field_validator("occurred_on")
    @classmethod
    def _occurred(cls, v):
        if v is None:
            raise ValueError(Message("请填写发生日期"))
        today = local_today()
        if v > today:
            raise ValueError(Message("发生日期不能晚于今天"))
        if v < today - timedelta(days=365 * 10):
            raise ValueError(Message("发生日期太早了，请核对"))
        return v

    @field_validator("consent")
    @classmethod
    def _consent(cls, v):
        if not v:
            raise ValueError(Message("请阅读个人信息处理说明并勾选同意，否则我们无法处理您的信息"))
        return v


def _required_by_kind(data: dict) -> dict[str, str]:
    """What each kind needs, checked on the raw input so that these messages come together
    with the per-field ones."""
    def text(key):
        return str(data.get(key) or "").strip()

    errors = {}
    if data.get("business_id") in (None, "") and len(text("business_name")) < 2:
        errors["business_name"] = Message("请在登记库中选择商户，或填写商户名称（至少 2 个字）")
    if data.get("business_id") in (None, "") and not text("district_adcode"):
        errors["district_adcode"] = Message("请选择商户所在的区县")
    lat, lng = data.get("lat"), data.get("lng")
    if (lat is None) != (lng is None) or (lat is not None and not (
            isinstance(lat, (int, float)) and isinstance(lng, (int, float))
            and 3 < lat < 54 and 73 < lng < 136)):
        errors["location"] = Message("地图位置无效，请重新在地图上点选")
    if data.get("kind") == COMPLAINT:
        if len(text("contact_name")) < 2:
            errors["contact_name"] = Message("投诉需要填写您的姓名（至少 2 个字），以便调解")
        if not text("phone"):
            errors["phone"] = Message("投诉需要填写手机号码，以便联系您")
        if len(text("claim")) < 2:
            errors["claim"] = Message("投诉需要写明您的诉求，例如退款、赔偿或道歉")
    if data.get("sms_notices") and not text("phone"):
        errors["phone"] = Message("要用短信接收查询编号和办理进度，请填写手机号码")
    return errors


@dataclass(frozen=True)
class Receipt:
    complaint_id: int
    tracking_no: str
    code: str
    kind: str
    received_at: datetime
    due_on: date
    due_provisional: bool
    due_kind: str


def _photo_problems(problems: list) -> InputError:
    # One photo's problem keeps its Message (shown in the visitor's language).
    return InputError({"photos": problems[0] if len(problems) == 1 else "；".join(problems)})


def _checked_photos(uploads: list[tuple[bytes, str]], limit: int) -> list[photo_rules.CheckedPhoto]:
    """Count, size, kind and dimensions: from the files' headers, nothing decoded."""
    if len(uploads) > limit:
        raise InputError({"photos": Message("最多上传 {n} 张照片（现在 {now} 张）", n=limit, now=len(uploads))})
    checked, problems = [], []
    for data, name in uploads:
        try:
            checked.append(photo_rules.check_photo(data, name))
        except photo_rules.PhotoError as exc:
            problems.append(exc.args[0])
    if problems:
        raise _photo_problems(problems)
    return checked


def _decoded_photos(checked: list[photo_rules.CheckedPhoto]) -> list[photo_rules.CleanPhoto]:
    """The costly step, taken only once everything else has passed (fields, limits)."""
    cleaned, problems = [], []
    for photo in checked:
        try:
            cleaned.append(photo_rules.clean_photo(photo))
        except photo_rules.PhotoError as exc:
            problems.append(exc.args[0])
    if problems:
        raise _photo_problems(problems)
    return cleaned


def validate(data: dict, uploads: list[tuple[bytes, str]]) -> tuple[ComplaintForm, list]:
    """Every problem at once: the form's fields and the photos' headers (the photos are
    decoded by submit, after the limits are taken)."""
    errors: dict[str, str] = {}
    form = None
    try:
        form = parse_complaint_form(data)
    except InputError as exc:
        errors.update(exc.errors)
    for field, message in _required_by_kind(data).items():
        errors.setdefault(field, message)
    try:
        checked = _checked_photos(uploads, photo_rules.MAX_PHOTOS)
    except InputError as exc:
        errors.update(exc.errors)
        checked = []
    if errors:
        raise InputError(errors)
    return form, checked


def parse_complaint_form(data: dict) -> ComplaintForm:
    return parse(ComplaintForm, data)


def local_day(now: datetime) -> date:
    """The Asia/Shanghai day of a naive-UTC instant: limits and deadlines count these."""
    return to_local(now).date()


def _take_limits(session: Session, secret: str, form: ComplaintForm, client: Client,
                 now: datetime) -> None:
    limit = rules.limits()
    day = local_day(now).isoformat()
    checks = [("complaint:session", personal.keyed_hash(secret, "session", client.session_id),
               limit["per_session_per_day"],
               Message("同一浏览器每天最多提交 {n} 件，请明天再提交；紧急情况请拨打 12315",
                       n=limit['per_session_per_day'])),
              ("complaint:address", personal.keyed_hash(secret, "address", client.address),
               limit["per_address_per_day"],
               Message("您所在的网络今天已提交 {n} 件，请明天再提交；紧急情况请拨打 12315",
                       n=limit['per_address_per_day']))]
    if form.phone:
        checks.insert(0, ("complaint:phone", personal.keyed_hash(secret, "phone", form.phone),
                          limit["per_phone_per_day"],
                          Message("同一手机号每天最多提交 {n} 件（按北京时间计），"
                                  "请明天再提交；紧急情况请拨打 12315", n=limit['per_phone_per_day'])))
    for scope, key, most, message in checks:
        if not ratelimit.take(session, scope, key, day, most):
            raise InputError({"limit": message})
    # The address for notices gets mail at once (the number and code): counted like the
    # phone, so a form cannot be used to mail one stranger again and again. Said at the
    # field, so the citizen can leave it empty and still file.
    if form.email and not ratelimit.take(session, "complaint:email",
                                         personal.keyed_hash(secret, "notice:email", form.email),
                                         day, limit["per_email_per_day"]):
        raise InputError({"email": Message("这个电子邮箱今天已用于 {n} 件投诉举报的通知，请换一个邮箱或不填，"
                                           "仍可提交；查询码会显示在提交后的页面上", n=limit["per_email_per_day"])})


def _business(session: Session, business_id: int, adcode: str) -> Business:
    business = business_in(session, adcode, business_id)
    if business is None:
        raise InputError({"business_name": Message("所选商户不在本市登记库中，请重新搜索或直接填写名称")})
    return business


def submit(session: Session, secret: str, jurisdiction_adcode: str, data: dict,
           uploads: list[tuple[bytes, str]], client: Client, *, now: datetime | None = None,
           is_demo: bool = False) -> Receipt:
    """Validate everything, count the limits, write the case, its first event and photos:
    one transaction, so an error leaves nothing behind."""
    form, checked = validate(data, uploads)
    now = now or utcnow()
    if form.business_id is not None:
        business = _business(session, form.business_id, jurisdiction_adcode)
        name, district, address = business.name, business.district_adcode, business.address
        lat, lng = form.lat if form.lat is not None else business.lat, \
            form.lng if form.lng is not None else business.lng
    else:
        name, district, address, lat, lng = (form.business_name, form.district_adcode,
                                             form.address, form.lat, form.lng)
        known = session.scalar(select(exists().where(
            District.adcode == district, District.jurisdiction_adcode == jurisdiction_adcode)))
        if not known:
            raise InputError({"district_adcode": Message("请从列表中选择本市的区县")})
    _take_limits(session, secret, form, client, now)
    cleaned = _decoded_photos(checked)    # a refusal rolls the limits back with everything
    received_on = local_day(now)
    rule_set, due_kind, due = first_deadline(session, form.kind, received_on)
    code = personal.random_code(CODE_LENGTH)
    complaint = Complaint(
        code_hash=personal.keyed_hash(secret, "code", code), kind=form.kind,
        category=form.category, business_id=form.business_id, business_name=name,
        district_adcode=district, address=(form.address or address or None), lat=lat, lng=lng,
        occurred_on=form.occurred_on, description=form.description,
        claim=form.claim or None, contact_name_enc=personal.encrypt(secret, form.contact_name),
        phone_enc=personal.encrypt(secret, form.phone),
        phone_hash=personal.keyed_hash(secret, "phone", form.phone) if form.phone else None,
        phone_masked=personal.mask_mobile(form.phone) if form.phone else None,
        anonymous=form.kind == REPORT and not form.phone and not form.contact_name,
        consent_at=now, status=SUBMITTED, received_at=now, received_on=received_on,
        rule_set=rule_set.id, due_on=due.day, due_provisional=due.provisional, due_kind=due_kind,
        is_demo=is_demo, updated_at=now)
    prefix = "TS" if form.kind == COMPLAINT else "JB"
    for _attempt in range(8):
        complaint.tracking_no = f"{prefix}{received_on:%Y%m%d}{personal.random_code(TRACKING_RANDOM)}"
        try:
            with session.begin_nested():
                session.add(complaint)
                session.flush()
            break
        except IntegrityError:
            session.expunge(complaint) if complaint in session else None
            continue
    else:
        raise RuntimeError("could not draw a free tracking number")
    event = ComplaintEvent(complaint_id=complaint.id, at=now, kind="submitted", public=True,
                           by_citizen=True, is_demo=is_demo,
                           text=f"我们已收到您的{KIND_LABELS[form.kind]}。")
    session.add(event)
    session.flush()
    session.add_all(ComplaintPhoto(complaint_id=complaint.id, event_id=event.id, mime=p.mime,
                                   width=p.width, height=p.height, content=p.content,
                                   uploaded_at=now, is_demo=is_demo) for p in cleaned)
    if form.email:
        # The form's consent covers the address: its mails carry the number and the code,
        # then a notice at each step; every mail has a one-click unsubscribe.
        contact_id = follow_complaint(session, secret, form.email, complaint.id)
        notice_events.direct(session, COMPLAINT_FILED, complaint.id, contact_id, secret_key=secret,
                             secret=code)
    if form.sms_notices and form.phone:
        # The same consent for the form's mobile number: the number and code by SMS, then a
        # notice at each step; every SMS carries the signed link to stop them.
        contact_id = follow_complaint(session, secret, form.phone, complaint.id, SMS)
        notice_events.direct(session, COMPLAINT_FILED, complaint.id, contact_id, secret_key=secret,
                             secret=code)
    return Receipt(complaint.id, complaint.tracking_no, code, form.kind, now, due.day,
                   due.provisional, due_kind)


RECOVERIES_PER_NUMBER_PER_DAY = 3


def recover_code(session: Session, secret: str, tracking_no: str, email: str, client: Client) -> None:
    """"Forgot my code": when `email` is the address given at filing for this case (and not
    unsubscribed since), a new code replaces the old one and is mailed there. The same
    silence either way, so the form tells nobody which address filed which case; limited per
    number and per client address."""
    number = personal.normalise_code(tracking_no)
    address = normalise_email(email)
    if not number:
        raise InputError({"number": Message("请填写查询编号，例如 TS20261122ABC234")})
    if address is None:
        raise InputError({"email": Message("电子邮箱格式不对，例如 name@example.com")})
    day = local_today().isoformat()
    if not (ratelimit.take(session, "recover:address", personal.keyed_hash(secret, "address", client.address),
                           day, RECOVERIES_PER_NUMBER_PER_DAY * 3)
            and ratelimit.take(session, "recover:number", personal.keyed_hash(secret, "tracking", number),
                               day, RECOVERIES_PER_NUMBER_PER_DAY)):
        raise InputError({"limit": Message("今天找回查询码的次数已用完，请明天再试；紧急情况请拨打 12315")})
    case = session.scalar(select(Complaint).where(Complaint.tracking_no == number))
    contact_id = complaint_contact(session, secret, address, case.id) if case else None
    if case is None or contact_id is None:
        return
    code = personal.random_code(CODE_LENGTH)
    case.code_hash = personal.keyed_hash(secret, "code", code)
    notice_events.direct(session, CODE_RECOVERY, case.id, contact_id, secret_key=secret, secret=code)


# --- duplicates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCase:
    """What anyone may see of an open case about the same business: no personal data."""
    complaint_id: int
    kind: str
    category: str
    occurred_on: date
    received_on: date
    status: str
    supporters: int


def open_cases_for_business(session: Session, business_id: int, today: date | None = None,
                            limit: int = 10) -> list[OpenCase]:
    today = today or local_today()
    rows = session.execute(
        select(Complaint.id, Complaint.kind, Complaint.category, Complaint.occurred_on,
               Complaint.received_on, Complaint.status, Complaint.supporters)
        .where(Complaint.business_id == business_id, Complaint.status.in_(OPEN_STATUSES),
               Complaint.merged_into_id.is_(None),
               Complaint.received_on >= today - timedelta(days=DUPLICATE_WINDOW_DAYS))
        .order_by(Complaint.received_on.desc()).limit(limit)).all()
    return [OpenCase(*row) for row in rows]


def join_case(session: Session, secret: str, complaint_id: int, client: Client,
              today: date | None = None) -> bool:
    """"我也遇到了同样的问题". False when this browser or address already joined."""
    today = today or local_today()
    case = session.get(Complaint, complaint_id)
    if case is None or case.status not in OPEN_STATUSES or case.merged_into_id is not None or \
            case.received_on < today - timedelta(days=DUPLICATE_WINDOW_DAYS):
        raise InputError({"case": Message("这件投诉举报已办结或不存在，请直接提交新的投诉举报")})
    keys = {personal.keyed_hash(secret, "session", client.session_id),
            personal.keyed_hash(secret, "address", client.address)}
    if session.scalar(select(exists().where(ComplaintSupporter.complaint_id == complaint_id,
                                            ComplaintSupporter.client_hash.in_(keys)))):
        return False
    try:
        with session.begin_nested():
            session.add(ComplaintSupporter(complaint_id=complaint_id,
                                           client_hash=personal.keyed_hash(secret, "session", client.session_id)))
            session.add(ComplaintSupporter(complaint_id=complaint_id,
                                           client_hash=personal.keyed_hash(secret, "address", client.address)))
            session.flush()
    except IntegrityError:
        return False
    session.execute(update(Complaint).where(Complaint.id == complaint_id)
                    .values(supporters=Complaint.supporters + 1))
    return True


# --- tracking -----------------------------------------------------------------------------


def find_case(session: Session, secret: str, tracking_no: object, code: object,
              client: Client) -> Complaint | None:
    """The case for a tracking number and code, or None.

    Wrong codes are counted per hour in three places, each taken atomically BEFORE the code
    is compared (ratelimit.take locks its row until the transaction ends; a right code gives
    the uses back by rolling the savepoint back), so parallel tries can never pass a limit:
    - per tracking number, from every address: no guesser, however many addresses they use,
      gets more than `track_failures_per_number_per_hour` tries at one number;
    - per (number, address): one address gets `track_failures_per_number_and_address_per_hour`
      of those tries, so a single stranger can never use up a number's allowance alone;
    - per address, across numbers: past `track_failures_per_address_per_hour` (a school's or a
      carrier's shared address) only numbers with fewer than two failures from this address
      may still be tried, so the rightful citizen there, with their own number, still gets in
      (and may mistype once), while a guesser is held to two tries per number, up to the hard
      ceiling `track_failures_per_address_per_hour_ceiling` for anything at all from that address.
    The browser session is not a key: a reload gives a new one."""
    limit = rules.limits()
    hour = utcnow().isoformat()[:13]
    number, secret_code = personal.normalise_code(tracking_no), personal.normalise_code(code)
    address = personal.keyed_hash(secret, "address", client.address)
    refused = InputError({"limit": Message("查询失败次数过多，请一小时后再试；如遗失查询码，请拨打 12315 说明情况")})
    savepoint = session.begin_nested()
    # One order everywhere (address, number, pair), so parallel tries cannot deadlock.
    at_address = ratelimit.take(session, "track:address", address, hour,
                                limit["track_failures_per_address_per_hour_ceiling"])
    at_number = ratelimit.take(session, "track:number", personal.keyed_hash(secret, "tracking", number),
                               hour, limit["track_failures_per_number_per_hour"])
    pair = ratelimit.take(session, "track:pair", personal.keyed_hash(secret, "tracking", f"{number}\n{address}"),
                          hour, limit["track_failures_per_number_and_address_per_hour"])
    if not (at_address and at_number and pair) or (
            at_address > limit["track_failures_per_address_per_hour"] and pair > 2):
        savepoint.rollback()
        raise refused
    case = session.scalar(select(Complaint).options(selectinload(Complaint.events))
                          .where(Complaint.tracking_no == number)) if number else None
    if case is not None and hmac.compare_digest(
            case.code_hash, personal.keyed_hash(secret, "code", secret_code)):
        savepoint.rollback()   # a right code uses up nothing
        return case
    savepoint.commit()
    return None


class InfoForm(BaseModel):
    text: InfoText


def add_information(session: Session, case: Complaint, text: str,
                    uploads: list[tuple[bytes, str]], now: datetime | None = None) -> None:
    errors = {}
    try:
        form = parse(InfoForm, {"text": text})
    except InputError as exc:
        errors.update(exc.errors)
    have = len(session.scalars(select(ComplaintPhoto.id).where(
        ComplaintPhoto.complaint_id == case.id)).all())
    try:
        checked = _checked_photos(uploads, min(photo_rules.MAX_PHOTOS, MAX_PHOTOS_PER_CASE - have))
    except InputError as exc:
        errors.update(exc.errors)
    if case.status not in OPEN_STATUSES:
        errors["case"] = Message("案件已办结，不能再补充材料；如有新问题请重新提交")
    if errors:
        raise InputError(errors)
    cleaned = _decoded_photos(checked)
    now = now or utcnow()
    event = ComplaintEvent(complaint_id=case.id, at=now, kind="citizen_info", public=True,
                           by_citizen=True, text=form.text, is_demo=case.is_demo)
    session.add(event)
    session.flush()
    session.add_all(ComplaintPhoto(complaint_id=case.id, event_id=event.id, mime=p.mime,
                                   width=p.width, height=p.height, content=p.content,
                                   uploaded_at=now) for p in cleaned)
    case.awaiting_citizen = False
    case.updated_at = now


class RatingForm(BaseModel):
    rating: str
    comment: CommentText = ""

    @field_validator("rating")
    @classmethod
    def _rating(cls, v):
        if v not in RATINGS:
            raise ValueError(Message("请选择 满意、基本满意 或 不满意"))
        return v


def rate(session: Session, case: Complaint, rating: str, comment: str,
         now: datetime | None = None) -> None:
    form = parse(RatingForm, {"rating": rating, "comment": comment})
    if case.status not in FINISHED_STATUSES:
        raise InputError({"case": Message("案件办结后才能评价")})
    if case.rating is not None:
        raise InputError({"case": Message("您已经评价过了，谢谢")})
    now = now or utcnow()
    case.rating, case.rating_comment, case.rated_at = form.rating, form.comment or None, now
    session.add(ComplaintEvent(complaint_id=case.id, at=now, kind="rated", public=True,
                               by_citizen=True, text=f"您的评价：{form.rating}",
                               is_demo=case.is_demo))
