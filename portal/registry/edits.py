"""Single-entry edits by officials (role publisher): an inspection, 明厨亮灶, list entries.
Each validates, checks the role and writes an audit row."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, field_validator
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.actions import PermissionDenied
from portal.accounts.rules import Actor
from portal.lists.models import BLACK, RED, ListEntry
from portal.lists.rules import default_dates
from portal.ratings.models import Inspection, KitchenDisplay
from portal.ratings.rules import rules as rating_rules
from portal.registry.models import Business
from portal.timeutil import local_today, utcnow
from portal.validation import InputError, clean_text, parse


def _require(actor: Actor) -> None:
    if not actor.may("publisher"):
        raise PermissionDenied("需要“数据发布”角色")


def _business(session: Session, business_id: int) -> Business:
    business = session.get(Business, business_id)
    if business is None:
        raise InputError({"business": "找不到这家单位"})
    return business


def _not_future(value: date | None, label: str) -> date:
    if value is None:
        raise ValueError(f"请填写{label}")
    if value > local_today():
        raise ValueError(f"{label}不能晚于今天")
    return value


class InspectionForm(BaseModel):
    inspected_on: date | None
    score: float

    @field_validator("inspected_on")
    @classmethod
    def _day(cls, value):
        return _not_future(value, "检查日期")

    @field_validator("score")
    @classmethod
    def _score(cls, value):
        if not 0 <= value <= 10:
            raise ValueError("评分应在 0 到 10 之间")
        return round(value, 1)


def add_inspection(session: Session, actor: Actor, business_id: int, data: dict) -> Inspection:
    _require(actor)
    form = parse(InspectionForm, data)
    business = _business(session, business_id)
    if business.sector != "餐饮服务":
        raise InputError({"business": "只有餐饮服务单位参加量化分级"})
    inspection = Inspection(business_id=business.id, inspected_on=form.inspected_on,
                            score=form.score, is_demo=False)
    session.add(inspection)
    audit.record(session, actor, "inspection_add", object_type="business", object_id=business.id,
                 detail={"inspected_on": form.inspected_on.isoformat(), "score": form.score})
    return inspection


class KitchenForm(BaseModel):
    kind: str
    stream_url: str = ""

    @field_validator("kind")
    @classmethod
    def _kind(cls, value):
        if value not in rating_rules()["kitchen_display_kinds"]:
            raise ValueError("请选择明厨亮灶方式")
        return value

    @field_validator("stream_url", mode="before")
    @classmethod
    def _url(cls, value):
        text = clean_text(value, "直播地址", max_len=500)
        if text and not text.startswith("https://"):
            raise ValueError("直播地址须以 https:// 开头")
        return text


def set_kitchen(session: Session, actor: Actor, business_id: int, data: dict) -> KitchenDisplay:
    _require(actor)
    form = parse(KitchenForm, data)
    if form.stream_url and form.kind != "互联网+明厨亮灶":
        raise InputError({"stream_url": "只有“互联网+明厨亮灶”需要直播地址"})
    business = _business(session, business_id)
    display = session.get(KitchenDisplay, business.id) or KitchenDisplay(business_id=business.id)
    display.kind, display.stream_url = form.kind, form.stream_url or None
    display.is_demo, display.updated_at = False, utcnow()
    session.add(display)
    audit.record(session, actor, "kitchen_set", object_type="business", object_id=business.id,
                 detail={"kind": form.kind, "stream_url": form.stream_url or None})
    return display


class ListForm(BaseModel):
    kind: str
    reason: str
    decision_no: str = ""
    authority: str
    listed_on: date | None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value):
        if value not in (BLACK, RED):
            raise ValueError("请选择黑榜或红榜")
        return value

    @field_validator("reason", "authority", mode="before")
    @classmethod
    def _text(cls, value, info):
        return clean_text(value, {"reason": "列入原因", "authority": "作出决定机关"}[info.field_name],
                          min_len=2, max_len=300)

    @field_validator("decision_no", mode="before")
    @classmethod
    def _decision(cls, value):
        return clean_text(value, "处罚决定书文号", max_len=120)

    @field_validator("listed_on")
    @classmethod
    def _day(cls, value):
        return _not_future(value, "列入日期")


def add_list_entry(session: Session, actor: Actor, business_id: int, data: dict) -> ListEntry:
    _require(actor)
    form = parse(ListForm, data)
    if form.kind == BLACK and not form.decision_no:
        raise InputError({"decision_no": "列入黑榜须填写处罚决定书文号"})
    business = _business(session, business_id)
    early, ends = default_dates(form.kind, form.listed_on)
    entry = ListEntry(kind=form.kind, business_id=business.id, business_name=business.name,
                      credit_code=business.credit_code, reason=form.reason,
                      decision_no=form.decision_no or None, authority=form.authority,
                      listed_on=form.listed_on, early_removal_from=early, ends_on=ends,
                      is_demo=False)
    session.add(entry)
    session.flush()
    audit.record(session, actor, "list_add", object_type="list_entry", object_id=entry.id,
                 detail={"kind": form.kind, "business": business.name})
    return entry


def remove_list_entry(session: Session, actor: Actor, entry_id: int, removed_on: date | None,
                      reason: str) -> ListEntry:
    """Removal (e.g. approved early removal): the entry leaves the public list, stays in history."""
    _require(actor)
    entry = session.get(ListEntry, entry_id)
    if entry is None or entry.removed_on is not None:
        raise InputError({"entry": "这条记录不存在或已移出"})
    try:
        day = _not_future(removed_on, "移出日期")
        text = clean_text(reason, "移出原因", min_len=2, max_len=300)
    except ValueError as exc:
        raise InputError({"removal": str(exc)}) from None
    if day < entry.listed_on:
        raise InputError({"removal": "移出日期不能早于列入日期"})
    if entry.kind == BLACK and entry.early_removal_from and day < entry.early_removal_from:
        raise InputError({"removal": f"列入未满一年，{entry.early_removal_from.isoformat()} 起才能提前移出"})
    entry.removed_on, entry.removal_reason, entry.updated_at = day, text, utcnow()
    audit.record(session, actor, "list_remove", object_type="list_entry", object_id=entry.id,
                 detail={"removed_on": day.isoformat(), "reason": text})
    return entry


def update_business(session: Session, actor: Actor, business_id: int, values: dict,
                    profile) -> Business:
    """Correct one registry entry, with the importer's own checks (codes, type, district,
    coordinates inside the district or its centre, marked approximate)."""
    from portal.importers.registry import business_record
    from portal.sampling.places import PlaceMatcher

    _require(actor)
    business = _business(session, business_id)
    shapes = {s.adcode: s for s in profile.shapes()}
    record, column, problem = business_record(
        {k: (str(v).strip() if v not in (None, "") else None) for k, v in values.items()},
        {"licence_date": values.get("licence_date")}, profile, PlaceMatcher(profile).match, shapes)
    if record is None:
        raise InputError({column: problem})
    before = {k: str(getattr(business, k)) for k in record}
    for key, value in record.items():
        setattr(business, key, value)
    business.updated_at = utcnow()
    audit.record(session, actor, "business_update", object_type="business", object_id=business.id,
                 detail={"changed": sorted(k for k in record if before[k] != str(record[k]))})
    return business
