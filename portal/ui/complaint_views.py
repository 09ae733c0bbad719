"""Streamlit rendering shared by the complaint pages: the client identity, the timeline,
the legal clock, and plain-language help."""
from __future__ import annotations

import secrets

import streamlit as st

from portal.complaints import rules
from portal.complaints.filing import Client
from portal.complaints.models import KIND_LABELS, STATUS_LABELS, Complaint, ComplaintEvent
from portal.timeutil import cn_date, cn_datetime

EVENT_LABELS = {"submitted": "已提交", "accepted": "已受理", "refused": "不予受理",
                "in_progress": "处理中", "request_info": "请您补充材料", "citizen_info": "您补充了材料",
                "reply": "答复", "closed": "已办结", "rated": "您的评价",
                "extended_public": "延长办理期限", "merged_public": "合并办理",
                "assigned": "交办", "note": "内部备注", "extended": "延长期限（内部）",
                "merged": "合并", "merged_in": "并入"}
STATUS_ICONS = {"submitted": ":material/inbox:", "accepted": ":material/task_alt:",
                "refused": ":material/block:", "in_progress": ":material/pending:",
                "closed": ":material/verified:"}
PROVISIONAL_NOTE = ("（暂定：期限跨入国务院尚未公布节假日安排的年份，暂只按周末计算；"
                    "公布后自动按正式安排重算）")


def current_client(ctx) -> Client:
    """This browser session and its address. The session ends on reload; the limits
    therefore rest mainly on the phone number (complaints) and the address (reports)."""
    session_id = st.session_state.setdefault("client_session", secrets.token_urlsafe(18))
    address = str(st.context.ip_address or "unknown")[:64]
    if ctx.settings.trusted_proxy:
        headers = st.context.headers
        forwarded = headers.get("X-Forwarded-For") or headers.get("X-Real-IP")
        if forwarded:
            address = forwarded.split(",")[0].strip()[:64]
    return Client(session_id, address)


def kinds_help() -> str:
    sets = rules.rule_sets()
    current = sets[-1]
    return (f"- **投诉**：您本人购买食品或就餐时权益受损（如买到过期食品），希望我们组织调解，"
            f"例如退货、赔偿。需要实名和手机号。我们在收到后 **{current.accept_days} 个工作日**内"
            f"决定是否受理，受理后 {current.close_days} 个工作日内办结。\n"
            f"- **举报**：您发现商户有违法行为（如无证经营、使用过期原料、卫生状况差），请我们依法查处。"
            f"可以匿名；实名举报可能获得奖励。我们在 **{current.decide_days} 个工作日**内决定是否立案。\n"
            "- 情况紧急（如多人食物中毒），请立即拨打 **120** 和 **12315**。")


def deadline_text(case: Complaint) -> str:
    if case.due_on is None:
        return ""
    what = {"accept": "决定是否受理", "close": "办结", "decide": "决定是否立案"}.get(case.due_kind, "办理")
    text = f"依法应在 **{cn_date(case.due_on)}** 前{what}（按工作日计算，节假日和调休已计入）"
    return text + (PROVISIONAL_NOTE if case.due_provisional else "")


def status_line(case: Complaint) -> None:
    label = STATUS_LABELS[case.status]
    icon = STATUS_ICONS.get(case.status, "")
    st.markdown(f"### {icon} {label}")
    st.caption(f"{KIND_LABELS[case.kind]} · 编号 {case.tracking_no} · 提交于 {cn_datetime(case.received_at)}")


def timeline(events: list[ComplaintEvent], *, internal: bool = False) -> None:
    """Oldest first. Text is shown with st.text: never parsed as markdown or HTML."""
    for event in events:
        if not internal and not event.public:
            continue
        label = EVENT_LABELS.get(event.kind, event.kind)
        who = "" if not internal else (" · 群众" if event.by_citizen else f" · {event.actor_name or ''}")
        privacy = "" if event.public or not internal else "（内部，群众不可见）"
        with st.container(border=True):
            st.markdown(f"**{label}**{privacy}　{cn_datetime(event.at)}{who}")
            if event.text:
                st.text(event.text)

