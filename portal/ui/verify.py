"""The phone verification step shared by 你点我检 (and surveys): a form for the number, then
one for the code. The verified identity (a keyed hash, never the number) stays in this
browser session for 30 minutes."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from portal import verification
from portal.timeutil import utcnow
from portal.i18n import N_, t
from portal.ui.clients import current_client
from portal.ui.widgets import show_errors
from portal.validation import InputError

VERIFIED, CHALLENGE = "verified_phone", "phone_challenge"
VALID_FOR = timedelta(minutes=30)


def verified_voter() -> tuple[str, str] | None:
    """(phone hash, masked number) of this session's verified person, or None."""
    found = st.session_state.get(VERIFIED)
    if found and utcnow() - found[2] < VALID_FOR:
        return found[0], found[1]
    st.session_state.pop(VERIFIED, None)
    return None


def forget() -> None:
    st.session_state.pop(VERIFIED, None)
    st.session_state.pop(CHALLENGE, None)


VOTE_INTRO = N_("为保证“一人一票”，请先验证手机号。号码只用于核验身份，不会公开，也不会用于其他用途。")


def code_form(form_key: str, confirm_label: str, pending_key: str) -> str | None:
    """The form for a texted code: what was typed once the person confirms (perhaps empty),
    else None. 换个号码或重新获取 forgets the pending challenge (session_state[pending_key]) and
    starts over at the number."""
    with st.form(form_key):
        code = st.text_input(t("验证码"), max_chars=6, placeholder=t("6 位数字"))
        left, right = st.columns(2)
        confirm = left.form_submit_button(confirm_label, type="primary")
        again = right.form_submit_button(t("换个号码或重新获取"))
    if again:
        st.session_state.pop(pending_key, None)
        st.rerun()
    return code if confirm else None


def verify_phone(ctx, purpose: str, key: str, intro: str | None = None) -> tuple[str, str] | None:
    """Shows the verification forms until the number is verified; then returns the identity.
    intro: why the page asks, in the visitor's language (default: the vote's reason)."""
    who = verified_voter()
    if who:
        return who
    sender = verification.sender_for(ctx.settings)
    if not sender.available:
        st.info(t("短信验证服务尚未开通，暂时不能验证手机号。请稍后再来。"))
        return None
    pending = st.session_state.get(CHALLENGE)
    if pending is None:
        with st.form(f"{key}_phone"):
            st.markdown(intro or t(VOTE_INTRO))
            phone = st.text_input(t("手机号码"), max_chars=20, placeholder=t("11 位手机号"))
            if st.form_submit_button(t("获取验证码"), icon=":material/sms:"):
                client = current_client(ctx)
                try:
                    with ctx.db.write() as session:
                        started = verification.start(session, ctx.settings.secret_key, sender, phone,
                                                     purpose, client.session_id, client.address)
                except InputError as exc:
                    show_errors(exc, {"phone": N_("手机号码")})
                else:
                    st.session_state[CHALLENGE] = started
                    st.rerun()
        return None
    if pending.demo_code:
        st.warning(t("演示环境：没有真正发送短信。您的验证码是 **{code}**（正式环境会以短信发到您的手机）。",
                     code=pending.demo_code), icon=":material/science:")
    else:
        st.info(t("验证码已发送到 {masked}，{n} 分钟内有效。", masked=pending.masked,
                  n=verification.CODE_MINUTES))
    code = code_form(f"{key}_code", t("验证"), CHALLENGE)
    if code is not None:
        try:
            with ctx.db.write() as session:
                phone_hash = verification.confirm(session, ctx.settings.secret_key,
                                                  pending.challenge_id, code)
                left_tries = verification.tries_left(session, pending.challenge_id)
        except InputError as exc:
            st.session_state.pop(CHALLENGE, None)
            show_errors(exc, {"code": N_("验证码")})
            return None
        if phone_hash is None:
            st.error(t("验证码不对，还可以再试 {n} 次。", n=left_tries))
            return None
        st.session_state.pop(CHALLENGE, None)
        st.session_state[VERIFIED] = (phone_hash, pending.masked, utcnow())
        st.rerun()
    return None
