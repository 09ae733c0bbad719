"""What each message says: plain text (no HTML to escape, readable in any mail program),
built when it is sent from the event and the recipient's follows. Every message carries the
signed links to manage one's follows and to unsubscribe."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.complaints.models import Complaint, ComplaintFollowUp
from portal.notices import links, voters
from portal.notices.models import (ALL_FAILED, BUSINESS, CATEGORY, CODE_RECOVERY, COMPLAINT_FILED, COMPLAINT_STATUS,
                                   DAILY_DIGEST, DISTRICT, FOLLOW_UP,
                                   FOLLOW_CONFIRM, SAMPLING_FAILED, Follow, NoticeContact, NoticeEvent,
                                   NoticeEventSubject)
from portal.personal import decrypt
from portal.registry.models import Business, District
from portal.sampling.models import FAILED, SamplingBatch

MAX_BATCHES = 20
SITE = "食品安全信息公开"


@dataclass
class Message:
    subject: str
    body: str


def _one_line(text: str | None, most: int = 80) -> str:
    return " ".join(str(text or "").split())[:most]


def follow_label(session: Session, topic: str, subject: str) -> str:
    """What a follow is about, as the manage page and the mails name it."""
    if topic == BUSINESS:
        business = session.get(Business, int(subject)) if subject.isdigit() else None
        return f"商户：{_one_line(business.name if business else '（已注销）')}"
    if topic == DISTRICT:
        district = session.get(District, subject)
        return f"区县：{district.name if district else subject}"
    if topic == CATEGORY:
        return f"食品类别：{_one_line(subject)}"
    if topic == ALL_FAILED:
        return "所有不合格抽检"
    if topic == voters.CANDIDATE:
        return voters.candidate_label(session, subject)
    complaint = session.get(Complaint, int(subject)) if subject.isdigit() else None
    return f"我的投诉举报：{complaint.tracking_no if complaint else subject}"


def _footer(public_url: str, secret_key: str, contact: NoticeContact) -> str:
    manage = links.url(public_url, secret_key, links.MANAGE, contact.id, contact.link_key)
    stop = links.url(public_url, secret_key, links.UNSUBSCRIBE, contact.id, contact.link_key)
    return (f"\n\n——\n管理我的关注：{manage}\n退订（不再接收任何邮件，并删除您的邮箱地址）：{stop}\n"
            f"本邮件由{SITE}网站自动发送，请勿直接回复。")


def _confirm(session, event, contact, public_url, secret_key) -> Message:
    follow = session.get(Follow, event.ref_id)
    if follow is None:
        return None
    link = links.url(public_url, secret_key, links.CONFIRM, follow.id, contact.link_key)
    if follow.topic == voters.CANDIDATE:
        return Message(*voters.confirm_message(session, follow, link, SITE))
    label = follow_label(session, follow.topic, follow.subject)
    return Message(f"请确认关注（{label}）",
                   f"您好：\n\n有人用这个邮箱地址在{SITE}网站申请关注“{label}”的食品安全信息。"
                   f"如果是您本人，请打开下面的链接确认：\n\n{link}\n\n"
                   f"确认后，这里一有新的不合格抽检结果，我们就发邮件告诉您。"
                   f"如果不是您申请的，请忽略本邮件，我们不会再发给您。")


def _import_failures(session: Session, import_id: int) -> list[SamplingBatch]:
    """The failed batches of one import, read once per session (a worker composes a whole
    claim of messages, most about the same event, in one session)."""
    cache = session.info.setdefault("notice_import_failures", {})
    if import_id not in cache:
        cache[import_id] = list(session.scalars(
            select(SamplingBatch).where(SamplingBatch.import_id == import_id, SamplingBatch.result == FAILED)
            .order_by(SamplingBatch.id)))
    return cache[import_id]


def failed_batches(session: Session, event: NoticeEvent, contact: NoticeContact
                   ) -> tuple[set[tuple[str, str]], list[SamplingBatch]] | None:
    """What this contact follows among the event's subjects, and the event's failed batches
    about those; None when nothing concerns the contact any more."""
    wanted = set(session.execute(
        select(Follow.topic, Follow.subject).join(NoticeEventSubject, (NoticeEventSubject.topic == Follow.topic)
                                                  & (NoticeEventSubject.subject == Follow.subject))
        .where(NoticeEventSubject.event_id == event.id, Follow.contact_id == contact.id)).all())
    if not wanted:
        return None
    batches = [b for b in _import_failures(session, event.ref_id)
        if (ALL_FAILED, "*") in wanted or (BUSINESS, str(b.sampled_business_id)) in wanted
        or (DISTRICT, b.district_adcode) in wanted or (CATEGORY, (b.category or "")[:64]) in wanted]
    if not batches:
        return None
    return wanted, batches


def _failed(session, event, contact, public_url, secret_key) -> Message | None:
    found = failed_batches(session, event, contact)
    if found is None:
        return None
    wanted, batches = found
    lines = [f"· {_one_line(b.food_name, 40)}（{_one_line(b.sampled_unit or b.producer_name, 40)}，"
             f"{b.announcement_date.isoformat() if b.announcement_date else '公告日期未填'}）\n"
             f"  {public_url}/sampling?batch={b.id}&scope=all" for b in batches[:MAX_BATCHES]]
    more = f"\n另有 {len(batches) - MAX_BATCHES} 批，请到网站查看。" if len(batches) > MAX_BATCHES else ""
    labels = "、".join(sorted(follow_label(session, t, s) for t, s in wanted))
    first = _one_line(batches[0].sampled_unit or batches[0].food_name, 30)
    title = f"不合格抽检：{first}" + (f" 等 {len(batches)} 批" if len(batches) > 1 else "")
    return Message(title, f"您好：\n\n您关注的{labels}有新公布的不合格抽检结果：\n\n" + "\n".join(lines) + more
                   + "\n\n不合格结果说明抽检的这一批食品不符合食品安全标准，不代表这家商户的所有食品；"
                     "监管部门会依法核查处置。")


def _complaint(session, event, contact, public_url, secret_key) -> Message | None:
    case = session.get(Complaint, event.ref_id)
    if case is None:
        return None
    link = f"{public_url}/complaint_track?no={case.tracking_no}"
    if event.kind in (COMPLAINT_FILED, CODE_RECOVERY):
        code = decrypt(secret_key, event.secret) if event.secret else None
        if not code:
            return None
        if event.kind == CODE_RECOVERY:
            return Message(f"您的投诉举报 {case.tracking_no} 的新查询码",
                           f"您好：\n\n您申请找回投诉举报（查询编号 {case.tracking_no}）的查询码。新的查询码是：{code}\n\n"
                           f"原来的查询码已经失效。凭查询编号和新查询码查看办理进度：\n{link}\n\n"
                           f"如果不是您本人申请的，请忽略本邮件；只有能收到这个邮箱邮件的人才能看到新查询码。")
        return Message(f"已收到您的投诉举报 {case.tracking_no}",
                       f"您好：\n\n我们已收到您的投诉举报。\n\n查询编号：{case.tracking_no}\n查询码：{code}\n\n"
                       f"凭查询编号和查询码可以在这里查看办理进度：\n{link}\n\n"
                       f"请妥善保管查询码，不要告诉他人。办理状态每有变化，我们都会发邮件告诉您。")
    label, extra = STEPS.get(event.detail or "", (event.detail or "", ""))
    return Message(f"您的投诉举报 {case.tracking_no}：{label}",
                   f"您好：\n\n您的投诉举报（查询编号 {case.tracking_no}）有了新进展：{label}。\n\n{extra}"
                   f"凭查询编号和查询码查看详情：\n{link}")


# The handler's steps (complaints.handling.NOTICE_KINDS): what the mail calls each. The
# handler's own words are not mailed: the tracking page shows them to whoever has the code.
STEPS = {"accepted": ("已受理", ""), "refused": ("不予受理", "不予受理的理由和说明请在进度查询页面查看。\n\n"),
         "in_progress": ("已交承办单位处理", ""),
         "request_info": ("需要您补充情况", "办理人员需要您补充一些情况，请凭查询码在进度查询页面查看并答复。\n\n"),
         "reply": ("收到答复", "办理人员给您写了答复，请凭查询码在进度查询页面查看。\n\n"),
         "closed": ("已办结", "办理结果和答复请在进度查询页面查看，也可以在那里评价我们的办理。\n\n")}

def _follow_up(session, event, contact, public_url, secret_key) -> Message | None:
    """Four weeks after a case closed: was the problem solved? One signed link, good once."""
    follow_up = session.get(ComplaintFollowUp, event.ref_id)
    case = session.get(Complaint, follow_up.complaint_id) if follow_up is not None else None
    if case is None or follow_up.answered_at is not None:
        return None
    link = links.url(public_url, secret_key, links.FOLLOW_UP, follow_up.id, follow_up.link_key)
    closed = case.finished_on.isoformat() if case.finished_on else ""
    return Message(f"问题解决了吗？（投诉举报 {case.tracking_no}）",
                   f"您好：\n\n您的投诉举报（查询编号 {case.tracking_no}，反映“{_one_line(case.business_name, 40)}”）"
                   f"已于 {closed} 办结。过去四周，问题解决了吗？请打开下面的链接回答（已解决、部分解决或没有解决），"
                   f"只需一分钟：\n\n{link}\n\n"
                   f"如果问题没有解决，案件会重新交给办理人员，并重新计算办理期限。"
                   f"回答会计入公开的办理统计（只统计件数，不公开您的文字）。这个链接只能使用一次。")


def _voters(build):
    """A 你点我检 notice (portal.notices.voters), as a Message."""
    def render_voters(session, event, contact, public_url, secret_key) -> Message | None:
        found = build(session, event, contact, public_url)
        return Message(*found) if found else None
    return render_voters


def _digest(session, event, contact, public_url, secret_key) -> Message | None:
    from portal.notices.digests import render_digest   # it renders each item through RENDER

    return render_digest(session, event, contact, public_url, secret_key)


RENDER = {FOLLOW_CONFIRM: _confirm, SAMPLING_FAILED: _failed, COMPLAINT_STATUS: _complaint,
          COMPLAINT_FILED: _complaint, CODE_RECOVERY: _complaint, FOLLOW_UP: _follow_up,
          voters.ROUND_PLAN: _voters(voters.plan_message), voters.ROUND_RESULTS: _voters(voters.results_message),
          DAILY_DIGEST: _digest}


def render(session: Session, event: NoticeEvent, contact: NoticeContact, public_url: str,
           secret_key: str) -> Message | None:
    """The message, or None when there is nothing left to say (the follow or case is gone)."""
    build = RENDER.get(event.kind)
    found = build(session, event, contact, public_url, secret_key) if build else None
    if found is not None:
        found.body += _footer(public_url, secret_key, contact)
    return found
