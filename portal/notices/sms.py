"""Notices by SMS: what a message to a mobile number says, and the gateway that sends it.

In mainland China an SMS gateway sends only templates approved beforehand, so the texts are
data (data/notices/sms_templates.json): each event kind that can reach a mobile number has
the gateway's template id, the text registered with it and the names of its parameters. The
portal sends only the id and the parameter values; the rendered text (`SmsMessage.text`) is
what the gateway will send, kept for the length check and the logs.

The gateway is the one phone verification uses (PORTAL_SMS_WEBHOOK_URL, with
PORTAL_PHONE_VERIFICATION=webhook): a POST of JSON {phone, template_id, params, message_id}.
message_id is made from the delivery row, the same at every attempt, so the gateway can drop
a repeat after a crash. 2xx: sent; 4xx (but 401, 403, 408 and 429): a permanent failure, counted
against the number like a mail bounce; 5xx, 401, 403, 408, 429, a timeout or no connection: retried
with the worker's backoff. In demo mode (PORTAL_PHONE_VERIFICATION=demo) there is no gateway:
SMS notices are not offered at all (codes shown on screen prove nothing about a number).
"""
from __future__ import annotations

import http.client
import json
import logging
import string
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from portal.complaints.models import Complaint
from portal.config import DATA_DIR
from portal.notices import links
from portal.notices.mailer import PermanentFailure, TemporaryFailure
from portal.notices.messages import STEPS, failed_batches, follow_label
from portal.notices.models import (ALL_FAILED, CODE_RECOVERY, COMPLAINT_FILED, COMPLAINT_STATUS, DAILY_DIGEST,
                                   FOLLOW_CONFIRM, FOLLOW_UP,
                                   SAMPLING_FAILED, SMS, Delivery, NoticeContact, NoticeEvent)
from portal.notices.voters import ROUND_PLAN, ROUND_RESULTS
from portal.personal import decrypt

log = logging.getLogger(__name__)
TEMPLATES_PATH = DATA_DIR / "notices" / "sms_templates.json"
# Kinds that never reach a mobile number, and why (tests/test_sms_notices.py checks that
# every kind with a message is either here or has a template).
EMAIL_ONLY = {
    FOLLOW_CONFIRM: "a mobile follow is confirmed by the verification code, not by a link",
    CODE_RECOVERY: "a new code goes only to the address given at filing (进度查询 → 忘记查询码)",
    FOLLOW_UP: "the 回访 questionnaire is asked by e-mail only",
    # A voter opts in with an e-mail address (the verified phone is kept only as a keyed hash).
    ROUND_PLAN: "voters opt in to the plan and their foods' results by e-mail only",
    ROUND_RESULTS: "voters opt in to the plan and their foods' results by e-mail only",
    DAILY_DIGEST: "SMS notices go out at once: only e-mail follows may choose the daily digest",
}
# The rendered text, links included, stays within three SMS segments (67 characters each).
MAX_TEXT = 200
# Parameter values are cut to this (gateways limit each variable; names can be long).
MAX_PARAM = 20
MANAGE_PATH = "n"


@dataclass(frozen=True)
class Template:
    kind: str
    template_id: str
    text: str
    params: tuple[str, ...]


def _load(path) -> dict[str, Template]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    found = {}
    for kind, entry in raw.items():
        if kind.startswith("_"):
            continue
        names = tuple(entry["params"])
        used = {field for _, field, _, _ in string.Formatter().parse(entry["text"]) if field}
        if not entry.get("template_id") or used != set(names):
            raise ValueError(f"SMS template {kind}: a template id and exactly the parameters its text uses")
        found[kind] = Template(kind, str(entry["template_id"]), entry["text"], names)
    return found


@lru_cache(maxsize=1)
def templates() -> dict[str, Template]:
    return _load(TEMPLATES_PATH)


def available(settings) -> bool:
    """Whether SMS notices are offered: a real gateway (never in demo mode)."""
    return settings.phone_verification == "webhook" and bool(settings.sms_webhook_url)


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    template_id: str
    params: dict[str, str]
    message_id: str
    text: str           # what the gateway sends (the template filled in)


def manage_link(public_url: str, secret_key: str, contact: NoticeContact) -> str:
    """The short signed link in every SMS: the manage page (stop one follow, or everything)."""
    return f"{public_url or ''}/{MANAGE_PATH}/{links.token(secret_key, links.MANAGE, contact.id, contact.link_key)}"


def message_id(delivery_id: int, event_id: int, public_url: str) -> str:
    return f"notice.{event_id}.{delivery_id}@{urlsplit(public_url or '').hostname or 'localhost'}"


def _short(text: str | None) -> str:
    return " ".join(str(text or "").split())[:MAX_PARAM]


def _sampling(session, event, contact, public_url, secret_key) -> dict | None:
    found = failed_batches(session, event, contact)
    if found is None:
        return None
    wanted, batches = found
    if len(wanted) > 1:
        subject = "内容"
    elif wanted == {(ALL_FAILED, "*")}:
        subject = "全市抽检"
    else:                       # "商户：某某店" -> "某某店" (the label without its kind)
        subject = follow_label(session, *next(iter(wanted))).partition("：")[2]
    return {"subject": _short(subject), "count": str(len(batches)),
            "link": f"{public_url}/sampling?batch={batches[0].id}&scope=all"}


def _complaint(session, event, contact, public_url, secret_key) -> dict | None:
    case = session.get(Complaint, event.ref_id)
    if case is None:
        return None
    values = {"number": case.tracking_no, "link": f"{public_url}/complaint_track?no={case.tracking_no}"}
    if event.kind == COMPLAINT_FILED:
        code = decrypt(secret_key, event.secret) if event.secret else None
        if not code:
            return None
        return values | {"code": code}
    return values | {"step": STEPS.get(event.detail or "", (event.detail or "",))[0]}


PARAMS = {SAMPLING_FAILED: _sampling, COMPLAINT_FILED: _complaint, COMPLAINT_STATUS: _complaint}


def compose(session: Session, delivery: Delivery, settings) -> SmsMessage | None:
    """The SMS of one delivery to a mobile number, or None (nothing left to say, or a kind
    without a template: logged, as it is a configuration error)."""
    event = session.get(NoticeEvent, delivery.event_id)
    contact = session.get(NoticeContact, delivery.contact_id)
    if event is None or contact is None or contact.channel != SMS:
        return None
    template, build = templates().get(event.kind), PARAMS.get(event.kind)
    if template is None or build is None:
        if event.kind not in EMAIL_ONLY:
            log.error("no SMS template for notice kind %s (data/notices/sms_templates.json)", event.kind)
        return None
    values = build(session, event, contact, settings.public_url, settings.secret_key)
    if values is None:
        return None
    values["manage"] = manage_link(settings.public_url, settings.secret_key, contact)
    params = {name: str(values[name]) for name in template.params}
    return SmsMessage(decrypt(settings.secret_key, contact.address_enc), template.template_id, params,
                      message_id(delivery.id, event.id, settings.public_url), template.text.format(**params))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None         # a gateway that redirects is misconfigured: never re-POST elsewhere


class SmsTransport:
    """The gateway for a batch of messages (`with SmsTransport(url) as gateway: gateway.send(m)`)."""

    def __init__(self, url: str, timeout: float = 10):
        if not url:
            raise TemporaryFailure("no SMS gateway configured (PORTAL_SMS_WEBHOOK_URL)")
        self.url, self.timeout = url, timeout
        self.opener = urllib.request.build_opener(_NoRedirect)

    def __enter__(self) -> "SmsTransport":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, message: SmsMessage) -> None:
        body = json.dumps({"phone": message.phone, "template_id": message.template_id, "params": message.params,
                           "message_id": message.message_id}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.message_id})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        except (OSError, http.client.HTTPException) as exc:      # no connection, timeout
            raise TemporaryFailure(f"SMS gateway: {exc}"[:200]) from exc
        if 200 <= status < 300:
            return
        # 401/403 say the portal's credentials are wrong, not the number: retried like 408/429
        # (counted as bounces they would erase every subscriber of a misconfigured gateway).
        if 400 <= status < 500 and status not in (401, 403, 408, 429):
            raise PermanentFailure(f"SMS gateway answered {status}")
        raise TemporaryFailure(f"SMS gateway answered {status}")


def transport_for(settings) -> SmsTransport:
    if not available(settings):
        raise TemporaryFailure("SMS notices need PORTAL_PHONE_VERIFICATION=webhook and PORTAL_SMS_WEBHOOK_URL")
    return SmsTransport(settings.sms_webhook_url)
