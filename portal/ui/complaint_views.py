"""Streamlit rendering shared by the complaint pages: the timeline,
the legal clock, and plain-language help."""
from __future__ import annotations

import streamlit as st

from portal.complaints import rules
from portal.complaints.models import KIND_LABELS, STATUS_LABELS, Complaint, ComplaintEvent
from portal.i18n import N_, aside, day, english, moment, t, zh_only
from portal.ui.widgets import md

EVENT_LABELS = {"submitted": N_("已提交"), "accepted": N_("已受理"), "refused": N_("不予受理"),
                "in_progress": N_("处理中"), "request_info": N_("请您补充材料"),
                "citizen_info": N_("您补充了材料"), "reply": N_("答复"), "closed": N_("已办结"),
                "rated": N_("您的评价"), "follow_up": N_("回访"), "reopened": N_("重新办理"), "extended_public": N_("延长办理期限"),
                "merged_public": N_("合并办理"), "assigned": zh_only("交办"), "note": zh_only("内部备注"),
                "extended": zh_only("延长期限（内部）"), "merged": zh_only("合并"),
                "merged_in": zh_only("并入")}
PUBLIC_STATUS = [N_("已提交"), N_("已受理"), N_("不予受理"), N_("处理中"), N_("已办结"), N_("重新办理"),
                 N_("投诉"), N_("举报"), N_("满意"), N_("基本满意"), N_("不满意")]
STATUS_ICONS = {"submitted": ":material/inbox:", "accepted": ":material/task_alt:",
                "refused": ":material/block:", "in_progress": ":material/pending:",
                "closed": ":material/verified:", "reopened": ":material/replay:"}
PROVISIONAL_NOTE = N_("暂定：期限跨入国务院尚未公布节假日安排的年份，暂只按周末计算；"
                      "公布后自动按正式安排重算")


def provisional_note() -> str:
    return aside(t(PROVISIONAL_NOTE))


def category_label(category: str) -> str:
    """A complaint category in the visitor's language (English names live with the codes)."""
    if not english():
        return category
    return rules.category_codes().get(category, ("", category))[1]


def kinds_help() -> str:
    sets = rules.rule_sets()
    current = sets[-1]
    return ("- " + t("**投诉**：您本人购买食品或就餐时权益受损（如买到过期食品），希望我们组织调解，"
                     "例如退货、赔偿。需要实名和手机号。我们在收到后 **{accept} 个工作日**内"
                     "决定是否受理，受理后 {close} 个工作日内办结。", accept=current.accept_days,
                     close=current.close_days) + "\n"
            "- " + t("**举报**：您发现商户有违法行为（如无证经营、使用过期原料、卫生状况差），请我们依法查处。"
                     "可以匿名；实名举报可能获得奖励。我们在 **{decide} 个工作日**内决定是否立案。",
                     decide=current.decide_days) + "\n"
            "- " + t("情况紧急（如多人食物中毒），请立即拨打 **120** 和 **12315**。"))


def deadline_text(case: Complaint) -> str:
    if case.due_on is None:
        return ""
    text = t(DEADLINES.get(case.due_kind, DEADLINES["other"]), day=day(case.due_on))
    return text + (provisional_note() if case.due_provisional else "")


DEADLINES = {"accept": N_("依法应在 **{day}** 前决定是否受理（按工作日计算，节假日和调休已计入）"),
             "close": N_("依法应在 **{day}** 前办结（按工作日计算，节假日和调休已计入）"),
             "decide": N_("依法应在 **{day}** 前决定是否立案（按工作日计算，节假日和调休已计入）"),
             "reopen": N_("重新办理：应在 **{day}** 前办结（从重新办理之日起按工作日重新计算，节假日和调休已计入）"),
             "other": N_("依法应在 **{day}** 前办理（按工作日计算，节假日和调休已计入）")}


def status_line(case: Complaint) -> None:
    label = t(STATUS_LABELS[case.status])
    icon = STATUS_ICONS.get(case.status, "")
    st.markdown(f"### {icon} {label}")
    st.caption(t("{kind} · 编号 {number} · 提交于 {moment}", kind=t(KIND_LABELS[case.kind]),
                 number=case.tracking_no, moment=moment(case.received_at)))


def timeline(events: list[ComplaintEvent], *, internal: bool = False) -> None:
    """Oldest first. Text is shown with st.text: never parsed as markdown or HTML."""
    for event in events:
        if not internal and not event.public:
            continue
        label = t(EVENT_LABELS.get(event.kind, event.kind)) if not internal else \
            EVENT_LABELS.get(event.kind, event.kind)
        who = "" if not internal else (zh_only(" · 群众") if event.by_citizen else f" · {md(event.actor_name)}")
        privacy = "" if event.public or not internal else zh_only("（内部，群众不可见）")
        with st.container(border=True):
            st.markdown(f"**{label}**{privacy}　{moment(event.at)}{who}")
            if event.text:
                st.text(event.text)

