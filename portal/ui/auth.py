"""Sign-in, sign-out and change-password widgets."""
from __future__ import annotations

import streamlit as st

from portal.accounts import audit
from portal.accounts.actions import change_own_password, sign_in
from portal.accounts.throttle import SignInThrottle
from portal.api.clients import client_address
from portal.ui.layout import PageContext, sign_in_locally, sign_out_locally
from portal.ui.widgets import show_errors
from portal.validation import InputError

TAB_NOTE = ("登录状态只保存在当前浏览器标签页：刷新页面或在新标签页打开链接需要重新登录；"
            "{idle} 分钟没有操作会自动退出。")


def sign_in_form(ctx: PageContext) -> None:
    with st.form("sign_in", border=True):
        st.markdown("**监管人员登录**")
        username = st.text_input("用户名", max_chars=32, autocomplete="username")
        password = st.text_input("密码", type="password", max_chars=128,
                                 autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary", width="stretch")
    st.caption(TAB_NOTE.format(idle=ctx.settings.idle_minutes))
    if not submitted:
        return
    if not username.strip() or not password:
        st.error("请填写用户名和密码。")
        return
    with ctx.db.write() as session:
        result = sign_in(session, username, password, secret=ctx.settings.secret_key,
                         address=client_address(st.context.ip_address, st.context.headers,
                                                ctx.settings.trusted_proxy),
                         throttle=SignInThrottle.from_settings(ctx.settings))
    if result.actor is None:
        st.error(result.message)
        return
    sign_in_locally(result.actor)
    st.session_state["must_change_password"] = result.must_change_password
    st.rerun()


def change_password_form(ctx: PageContext) -> None:
    with st.form("change_password", border=True):
        st.markdown("**修改密码**")
        current = st.text_input("当前密码", type="password", max_chars=128)
        new = st.text_input("新密码", type="password", max_chars=128,
                            help="至少 10 个字符，包含字母和数字（或符号），不能包含用户名，"
                            "不能是常用或有规律的密码（如 Password12、aaaaaaaaa1）。")
        repeat = st.text_input("再次输入新密码", type="password", max_chars=128)
        submitted = st.form_submit_button("保存新密码", type="primary")
    if not submitted:
        return
    try:
        with ctx.db.write() as session:
            change_own_password(session, ctx.actor, current, new, repeat)
    except InputError as exc:
        show_errors(exc, {"current": "当前密码", "new": "新密码", "repeat": "再次输入新密码"})
        return
    st.session_state["must_change_password"] = False
    st.toast("新密码已保存")
    st.success("新密码已保存，下次登录请使用新密码。")


def sign_out(ctx: PageContext) -> None:
    with ctx.db.write() as session:
        audit.record(session, ctx.actor, "sign_out", object_type="official",
                     object_id=ctx.actor.username)
    sign_out_locally("您已安全退出。")
    st.session_state.pop("must_change_password", None)
    st.rerun()
