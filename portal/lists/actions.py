"""红黑榜 writes by officials (role publisher): listing a business, removing an entry.
Each validates, checks the role and writes an audit row."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, field_validator
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.rules import Actor
from portal.lists.models import BLACK, RED, ListEntry
from portal.lists.rules import default_dates
from portal.accounts.permissions import authorize
from portal.registry.actions import business_or_error
from portal.timeutil import utcnow
from portal.validation import InputError, checked, Message, clean_text, not_future, parse


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
        return not_future(value, "列入日期")


def add_list_entry(session: Session, actor: Actor, business_id: int, data: dict) -> ListEntry:
    authorize(actor, "list_add")
    form = parse(ListForm, data)
    if form.kind == BLACK and not form.decision_no:
        raise InputError({"decision_no": Message("列入黑榜须填写处罚决定书文号")})
    business = business_or_error(session, business_id)
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
    authorize(actor, "list_remove")
    entry = session.get(ListEntry, entry_id)
    if entry is None or entry.removed_on is not None:
        raise InputError({"entry": Message("这条记录不存在或已移出")})
    day = checked("removal", not_future, removed_on, "移出日期")
    text = checked("removal", clean_text, reason, "移出原因", min_len=2, max_len=300)
    if day < entry.listed_on:
        raise InputError({"removal": Message("移出日期不能早于列入日期")})
    if entry.kind == BLACK and entry.early_removal_from and day < entry.early_removal_from:
        raise InputError({"removal": Message("列入未满一年，{day} 起才能提前移出",
                                                 day=entry.early_removal_from.isoformat())})
    entry.removed_on, entry.removal_reason, entry.updated_at = day, text, utcnow()
    audit.record(session, actor, "list_remove", object_type="list_entry", object_id=entry.id,
                 detail={"removed_on": day.isoformat(), "reason": text})
    return entry
