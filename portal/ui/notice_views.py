"""关注 by e-mail: the small form a page shows beside what can be followed (a business today).
The citizen gets a confirmation mail; nothing is followed before its link is opened."""
from __future__ import annotations

import streamlit as st

from portal.i18n import N_, t
from portal.notices import follows
from portal.ui.clients import current_client
from portal.ui.widgets import show_errors
from portal.validation import InputError

LABELS = {"email": N_("电子邮箱"), "subject": N_("关注对象"), "limit": N_("次数限制"), "cadence": N_("邮件频率")}


def follow_form(ctx, topic: str, subject: str, key: str,
                choices: dict[tuple[str, str], str] | None = None) -> None:
    """An expander with the e-mail form; shown only where the portal can send mail.
    choices: several things to follow ((topic, subject) -> label, already translated), of
    which the citizen picks one; else topic and subject name the one thing."""
    if not ctx.settings.smtp_url:
        return
    with st.expander(t("有新的不合格抽检时发邮件告诉我"), icon=":material/mail:"):
        st.markdown(t("填写您的邮箱，我们先发一封确认邮件；打开邮件里的链接后才开始通知。"
                      "每封邮件都有退订链接，退订后您的邮箱地址即被删除。邮箱只用于发送这些通知，不会公开。"))
        with st.form(f"follow_{key}", clear_on_submit=False):
            picked = (topic, subject)
            if choices:
                picked = st.radio(t("关注什么"), list(choices), format_func=choices.get, key=f"follow_{key}_what")
            email = st.text_input(t("电子邮箱"), max_chars=254, placeholder="name@example.com")
            cadence = st.radio(t("邮件频率"), list(follows.CADENCES), format_func=lambda c: t(follows.CADENCES[c]),
                               key=f"follow_{key}_cadence")
            sent = st.form_submit_button(t("发送确认邮件"), icon=":material/send:")
        if sent:
            try:
                with ctx.db.write() as session:
                    follows.request_follow(session, ctx.settings.secret_key, current_client(ctx),
                                           {"email": email, "topic": picked[0], "subject": picked[1],
                                            "cadence": cadence})
            except InputError as exc:
                show_errors(exc, LABELS)
                return
            st.success(t("确认邮件已发出（如几分钟内没有收到，请查看垃圾邮件）。打开邮件里的链接后，关注才生效。"))
