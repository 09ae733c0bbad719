"""量化分级 writes by officials (role publisher): one inspection, 明厨亮灶.
Each validates, checks the role and writes an audit row."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, field_validator
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.rules import Actor
from portal.ratings.models import Inspection, KitchenDisplay
from portal.ratings.rules import rules as rating_rules
from portal.accounts.permissions import authorize
from portal.registry.actions import business_or_error
from portal.timeutil import utcnow
from portal.validation import InputError, Message, clean_text, not_future, parse


class InspectionForm(BaseModel):
    inspected_on: date | None
    score: float

    @field_validator("inspected_on")
    @classmethod
    def _day(cls, value):
        return not_future(value, "检查日期")

    @field_validator("score")
    @classmethod
    def _score(cls, value):
        if not 0 <= value <= 10:
            raise ValueError("评分应在 0 到 10 之间")
        return round(value, 1)


def add_inspection(session: Session, actor: Actor, business_id: int, data: dict) -> Inspection:
    authorize(actor, "inspection_add")
    form = parse(InspectionForm, data)
    business = business_or_error(session, business_id)
    if not business.is_catering:
        raise InputError({"business": Message("只有餐饮服务单位参加量化分级")})
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
    authorize(actor, "kitchen_set")
    form = parse(KitchenForm, data)
    if form.stream_url and form.kind != "互联网+明厨亮灶":
        raise InputError({"stream_url": Message("只有“互联网+明厨亮灶”需要直播地址")})
    business = business_or_error(session, business_id)
    display = session.get(KitchenDisplay, business.id) or KitchenDisplay(business_id=business.id)
    display.kind, display.stream_url = form.kind, form.stream_url or None
    display.is_demo, display.updated_at = False, utcnow()
    session.add(display)
    audit.record(session, actor, "kitchen_set", object_type="business", object_id=business.id,
                 detail={"kind": form.kind, "stream_url": form.stream_url or None})
    return display
