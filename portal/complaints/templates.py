"""Response templates (答复模板): a starting set in data/complaints/templates.json, replaced by
the set an admin saves (portal_meta, audited). Placeholders such as {tracking_no} are filled
from the case; only plain names from the allowed list are accepted, so a template can never
reach into objects, and the values (a business name a citizen typed) are never re-read as
placeholders."""
from __future__ import annotations

import json
import string
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.complaints.models import KIND_LABELS, Complaint
from portal.config import DATA_DIR
from portal.meta import get_meta, set_meta
from portal.timeutil import cn_date, local_today
from portal.validation import InputError, Message, clean_text, message_of

META_KEY = "complaint_templates"
MAX_TEMPLATES = 100


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads((DATA_DIR / "complaints" / "templates.json").read_text(encoding="utf-8"))


def placeholders() -> dict[str, str]:
    return dict(_data()["placeholders"])


def uses() -> dict[str, str]:
    return dict(_data()["uses"])


@dataclass(frozen=True)
class Template:
    name: str
    use: str
    body: str


def templates(session: Session, use: str | None = None) -> list[Template]:
    saved = get_meta(session, META_KEY)
    raw = json.loads(saved) if saved else _data()["templates"]
    found = [Template(t["name"], t["use"], t["body"]) for t in raw]
    return [t for t in found if use is None or t.use == use]


def is_customised(session: Session) -> bool:
    return get_meta(session, META_KEY) is not None


def _check_body(body: str) -> None:
    allowed = placeholders()
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        raise ValueError("花括号不配对：占位符写成 {tracking_no} 这样，要写花括号本身请写 {{ 或 }}") from None
    for _, field, spec, conv in parts:
        if field is not None and (field not in allowed or spec or conv):
            names = "、".join("{" + k + "}" for k in allowed)
            raise ValueError(f"不认识的占位符 {{{field}}}；可用的有：{names}")


def save_templates(session: Session, actor: Actor, rows: list[dict]) -> list[Template]:
    """Replace the whole set. Each row: name, use, body."""
    errors, clean, names = {}, [], set()
    if len(rows) > MAX_TEMPLATES:
        errors["_"] = Message("最多 {n} 个模板", n=MAX_TEMPLATES)
    for number, row in enumerate(rows[:MAX_TEMPLATES], start=1):
        try:
            name = clean_text(row.get("name"), "名称", min_len=2, max_len=40)
            body = clean_text(row.get("body"), "正文", min_len=10, max_len=2000, multiline=True)
            use = row.get("use")
            if use not in uses():
                raise ValueError("用途请选择：" + "、".join(uses().values()))
            if name in names:
                raise ValueError(f"名称“{name}”重复")
            _check_body(body)
        except ValueError as exc:
            errors[f"第{number}行"] = message_of(exc)
            continue
        names.add(name)
        clean.append(Template(name, use, body))
    if errors:
        raise InputError(errors)
    authorize(actor, "complaint_templates_update")
    before = len(templates(session))
    set_meta(session, META_KEY, json.dumps([t.__dict__ for t in clean], ensure_ascii=False))
    audit.record(session, actor, "complaint_templates_update", object_type="complaint_templates",
                 detail={"before": before, "after": len(clean)})
    return clean


def values(case: Complaint, today: date | None = None) -> dict[str, str]:
    return {"tracking_no": case.tracking_no, "kind": KIND_LABELS.get(case.kind, case.kind),
            "business_name": case.business_name or "", "category": case.category or "",
            "occurred_on": cn_date(case.occurred_on), "received_on": cn_date(case.received_on),
            "accepted_on": cn_date(case.accepted_on) if case.accepted_on else "（尚未受理）",
            "due_on": cn_date(case.due_on) if case.due_on else "（无）",
            "unit": case.assigned_unit or "承办单位", "today": cn_date(today or local_today())}


def fill(body: str, case: Complaint, today: date | None = None) -> str:
    """The template with the case's facts put in: one pass over the template only, so a
    business name holding "{tracking_no}" stays as typed. Unknown names stay as written."""
    given, out = values(case, today), []
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        return body
    for literal, field, spec, conv in parts:
        out.append(literal)
        if field is not None:
            out.append(given[field] if field in given and not spec and not conv
                       else "{" + field + "}")
    return "".join(out)
