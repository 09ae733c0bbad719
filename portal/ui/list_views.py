"""List entry cards with their dates and countdowns."""
from __future__ import annotations

import streamlit as st

from portal.lists.models import BLACK, ListEntry
from portal.lists.rules import is_active
from portal.i18n import day, field, t
from portal.timeutil import local_today
from portal.ui.widgets import md
from portal.ui.page_links import page_link


def _countdown(day) -> str:
    days = (day - local_today()).days
    return t("（还有 {days} 天）", days=days) if days > 0 else ""


def entry_card(entry: ListEntry, *, link: bool = True) -> None:
    with st.container(border=True):
        if link and entry.business_id:
            page_link("pages/business.py", label=f"**{md(entry.business_name)}**",
                      query_params={"id": str(entry.business_id)})
        else:
            st.markdown(f"**{md(entry.business_name)}**")
        lines = [f"{field('列入原因')}{md(entry.reason)}"]
        if entry.decision_no:
            lines.append(f"{field('处罚决定书')}{md(entry.decision_no)}（{md(entry.authority)}）")
        else:
            lines.append(f"{field('发布机关')}{md(entry.authority)}")
        lines.append(f"{field('列入日期')}{day(entry.listed_on)}")
        if entry.removed_on:
            lines.append(t("已于 {day} 移出", day=day(entry.removed_on)) +
                         (f"：{md(entry.removal_reason)}" if entry.removal_reason else ""))
        elif entry.kind == BLACK:
            if entry.early_removal_from:
                lines.append(f"{field('可申请提前移出')}" + t("{day}起", day=day(entry.early_removal_from))
                             + _countdown(entry.early_removal_from))
            if entry.ends_on:
                lines.append(f"{field('到期移出')}{day(entry.ends_on)}{_countdown(entry.ends_on)}")
        elif entry.ends_on:
            lines.append(f"{field('表彰期至')}{day(entry.ends_on)}{_countdown(entry.ends_on)}")
        if not is_active(entry.removed_on, entry.ends_on, local_today()) and not entry.removed_on:
            lines.append(t("已期满移出"))
        if entry.credit_code:
            lines.append(f"{field('统一社会信用代码')}{md(entry.credit_code)}")
        st.markdown("  \n".join(lines))
