"""关注: the small form a page shows beside what can be followed (a business, 抽检结果). By
e-mail the citizen gets a confirmation mail and nothing is followed before its link is
opened; by mobile (where an SMS gateway is set) the number is proved by a verification
code, and the follow is active once the code is typed back."""
from __future__ import annotations

import streamlit as st

from portal.i18n import N_, t
from portal.notices import follows, mobile, sms
from portal.ui.clients import current_client
from portal.ui.verify import code_form
from portal.ui.widgets import show_errors
from portal.validation import InputError

LABELS = {"email": N_("电子邮箱"), "subject": N_("关注对象"), "limit": N_("次数限制"), "phone": N_("手机号码"),
          "code": N_("验证码"),
          "cadence": N_("邮件频率")}
EMAIL, MOBILE = "email", "sms"
CHANNELS = {EMAIL: N_("电子邮箱"), MOBILE: N_("手机短信")}


def follow_form(ctx, topic: str, subject: str, key: str,
                choices: dict[tuple[str, str], str] | None = None) -> None:
    """An expander with the follow form; shown only where the portal can send (mail, SMS).
    choices: several things to follow ((topic, subject) -> label, already translated), of
    which the citizen picks one; else topic and subject name the one thing."""
    by_mail, by_sms = bool(ctx.settings.smtp_url), sms.available(ctx.settings)
    if not (by_mail or by_sms):
        return
    title = t("有新的不合格抽检时通知我") if by_sms else t("有新的不合格抽检时发邮件告诉我")
    with st.expander(title, icon=":material/notifications:" if by_sms else ":material/mail:"):
        channel = EMAIL if by_mail else MOBILE
        if by_mail and by_sms:
            channel = st.radio(t("通知方式"), list(CHANNELS), format_func=lambda c: t(CHANNELS[c]),
                               horizontal=True, key=f"follow_{key}_channel")
        if channel == MOBILE:
            _mobile_form(ctx, topic, subject, key, choices)
        else:
            _email_form(ctx, topic, subject, key, choices)
        if ctx.settings.phone_verification == "demo":
            # Demo codes are shown on screen: they would prove nothing about a number.
            st.caption(t("演示环境不提供短信通知：演示中的验证码显示在屏幕上，无法证明手机号属于您。"))


def _email_form(ctx, topic, subject, key, choices) -> None:
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


def _mobile_form(ctx, topic, subject, key, choices) -> None:
    """Two steps: the number (a code is sent), then the code. The number waits in this
    browser session's server-side state between them, never in the page."""
    state_key = f"follow_{key}_pending"
    pending = st.session_state.get(state_key)
    if pending is None:
        st.markdown(t("填写您的手机号，我们先发一条验证码短信；填回验证码后开始通知。"
                      "每条通知短信都有一个管理链接，可以随时停止，停止后您的手机号即被删除。"
                      "手机号只用于发送这些通知，不会公开。"))
        with st.form(f"follow_{key}_phone", clear_on_submit=False):
            picked = (topic, subject)
            if choices:
                picked = st.radio(t("关注什么"), list(choices), format_func=choices.get,
                                  key=f"follow_{key}_what_sms")
            phone = st.text_input(t("手机号码"), max_chars=20, placeholder=t("11 位手机号"))
            sent = st.form_submit_button(t("获取验证码"), icon=":material/sms:")
        if sent:
            data = {"phone": phone, "topic": picked[0], "subject": picked[1]}
            try:
                with ctx.db.write() as session:
                    started = mobile.start_follow(session, ctx.settings, current_client(ctx), data)
            except InputError as exc:
                show_errors(exc, LABELS)
                return
            st.session_state[state_key] = {**data, "challenge": started.challenge_id, "masked": started.masked}
            st.rerun()
        return
    st.info(t("验证码已发送到 {masked}，填回验证码后即开始通知。", masked=pending["masked"]))
    code = code_form(f"follow_{key}_code", t("确认关注"), state_key)
    if code is not None:
        try:
            with ctx.db.write() as session:
                done = mobile.confirm_follow(session, ctx.settings, pending["challenge"], code, pending)
        except InputError as exc:
            st.session_state.pop(state_key, None)
            show_errors(exc, LABELS)
            return
        if done is None:
            st.error(t("验证码不对，请再试一次。"))
            return
        st.session_state.pop(state_key, None)
        st.success(t("已关注。一有新的不合格抽检结果，我们就发短信告诉您；短信里的链接可以随时停止。"))
