"""Sign-in, sign-out and change-password widgets."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from portal.accounts import audit, identities, second_factor, sessions
from portal.accounts.actions import change_own_password, sign_in
from portal.accounts.models import Official
from portal.accounts.throttle import SignInThrottle
from portal.clients import client_address
from portal.timeutil import utcnow
from portal.ui import sso
from portal.ui.layout import (RECOVERY_CODES, SECOND_FACTOR_ENROLLED, SESSION_ID, SSO_SESSION, PageContext,
                              sign_in_locally, sign_out_locally)
from portal.ui.widgets import md, show_errors
from portal.validation import InputError

TAB_NOTE = ("登录后，本浏览器在 {hours} 小时内保持登录（刷新、新标签页和链接都不用再登录）；"
            "{idle} 分钟没有操作会自动退出。在公用电脑上用完请点“退出登录”。")


PENDING = "second_factor_pending"   # (actor, must change password, started, failures, identity id)
PENDING_VALID = timedelta(minutes=5)
PENDING_TRIES = 5
LOGIN_PAGE = "pages/login.py"
SSO_HANDLED = "sso_handled"          # the provider's sign-in this tab has already acted on
SSO_REFUSED = "sso_refused"          # (message, claims) for an identity no admin linked
SSO_BUTTON = "统一身份认证登录"


def sign_in_form(ctx: PageContext) -> None:
    if st.session_state.get(PENDING):
        second_factor_form(ctx)
        return
    _sso_refusal()
    with st.form("sign_in", border=True):
        st.markdown("**监管人员登录**")
        username = st.text_input("用户名", max_chars=32, autocomplete="username")
        password = st.text_input("密码", type="password", max_chars=128,
                                 autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary", width="stretch")
    provider = sso.provider()
    if provider and st.button(SSO_BUTTON, icon=":material/badge:", width="stretch"):
        sso.start(provider)
    if provider:
        st.caption("也可以用政务服务统一身份认证平台的账号登录（首次使用前，请系统管理员把它关联到您的门户账号）。")
    st.caption(TAB_NOTE.format(idle=ctx.settings.idle_minutes, hours=ctx.settings.session_hours))
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
        official = session.get(Official, result.actor.id) if result.actor else None
        needs_code = second_factor.enrolled(official)
    if result.actor is None:
        st.error(result.message)
        return
    if needs_code:
        # The password was right; the session starts only after the second factor.
        st.session_state[PENDING] = (result.actor, result.must_change_password, utcnow(), 0, None)
        st.rerun()
    _start_session(ctx, result.actor, result.must_change_password)


def _start_session(ctx: PageContext, actor, must_change_password: bool,
                   identity_id: int | None = None) -> None:
    """The one way a sign-in becomes a session (password or single sign-on). After single
    sign-on the browser is on the home page: it goes on to 我的账号."""
    with ctx.db.write() as session:
        session_id, handoff = sessions.start(session, ctx.settings.secret_key, actor.id,
                                             timedelta(hours=ctx.settings.session_hours),
                                             identity_id=identity_id)
    sign_in_locally(actor, session_id, handoff)
    st.session_state["must_change_password"] = must_change_password
    st.session_state.pop(SSO_REFUSED, None)
    if identity_id is not None:
        st.switch_page(LOGIN_PAGE)
    st.rerun()


def take_identity(ctx: PageContext) -> None:
    """A browser back from the identity provider (Streamlit's callback lands on the home
    page with st.user set): sign in to the linked account, with its second factor where the
    settings ask for it, or say plainly why not. Acts once per provider sign-in and tab."""
    claims = sso.claims() if sso.provider() else None
    if claims is None:
        return
    handled = (claims.issuer, claims.subject, claims.issued_at)
    if st.session_state.get(SSO_HANDLED) == handled:
        return
    st.session_state[SSO_HANDLED] = handled
    with ctx.db.write() as session:
        result = identities.sign_in(session, claims)
        official = session.get(Official, result.actor.id) if result.actor else None
        needs_code = (ctx.settings.sso_second_factor == "portal" and second_factor.enrolled(official))
    if result.actor is None:
        if result.message:
            st.session_state[SSO_REFUSED] = (result.message, claims)
            st.switch_page(LOGIN_PAGE)
        return
    if needs_code:
        st.session_state[PENDING] = (result.actor, False, utcnow(), 0, result.identity_id)
        st.switch_page(LOGIN_PAGE)
    _start_session(ctx, result.actor, False, result.identity_id)


def _sso_refusal() -> None:
    """Why the provider's sign-in did not sign in, with what the admin needs to link it."""
    refused = st.session_state.get(SSO_REFUSED)
    if not refused:
        return
    message, claims = refused
    st.error(message, icon=":material/person_off:")
    if claims.name:
        st.markdown("统一身份认证账号：" + md(claims.name))
    st.caption("身份提供方")
    st.code(claims.issuer, language=None)
    st.caption("用户标识")
    st.code(claims.subject, language=None)
    if st.button("换一个统一身份认证账号", icon=":material/switch_account:"):
        st.session_state.pop(SSO_REFUSED, None)
        sso.end()
        st.stop()


def second_factor_form(ctx: PageContext) -> None:
    """The second step: a code from the authenticator app, or a recovery code."""
    actor, must_change, started, failures, identity_id = st.session_state[PENDING]
    if utcnow() - started > PENDING_VALID:
        st.session_state.pop(PENDING, None)
        st.warning("验证超时，请重新输入用户名和密码。")
        st.rerun()
    with st.form("second_factor", border=True):
        st.markdown(f"**两步验证**（{actor.username}）")
        code = st.text_input("动态验证码", max_chars=12, autocomplete="one-time-code",
                             help="打开手机上的验证器应用，输入显示的 6 位数字；手机遗失时可输入一个恢复码。")
        left, right = st.columns(2)
        confirm = left.form_submit_button("验证", type="primary", width="stretch")
        cancel = right.form_submit_button("返回", width="stretch")
    if cancel:
        st.session_state.pop(PENDING, None)
        st.rerun()
    if not confirm:
        return
    with ctx.db.write() as session:
        official = session.get(Official, actor.id)
        good = official is not None and official.active and second_factor.verify(
            session, ctx.settings.secret_key, official, code)
    if good:
        st.session_state.pop(PENDING, None)
        _start_session(ctx, actor, must_change, identity_id)
    failures += 1
    if failures >= PENDING_TRIES:
        st.session_state.pop(PENDING, None)
        st.error("验证码错误次数过多，请重新输入用户名和密码。")
        return
    st.session_state[PENDING] = (actor, must_change, started, failures, identity_id)
    st.error(f"验证码不对，还可以再试 {PENDING_TRIES - failures} 次。")


def enrolment_form(ctx: PageContext) -> None:
    """Set up (or replace) the second factor: scan the QR code, confirm one code, keep the
    recovery codes (shown once)."""
    pending = st.session_state.setdefault("totp_pending_secret", second_factor.new_secret())
    st.markdown("1. 在手机上安装验证器应用（如 Microsoft Authenticator、Google 身份验证器、FreeOTP 等）。\n"
                "2. 用它扫描下面的二维码（或手动输入密钥）。\n3. 输入应用显示的 6 位数字。")
    st.image(second_factor.enrolment_qr_png(pending, ctx.actor.username), width=220,
             caption="两步验证二维码")
    st.caption(f"密钥（手动输入用）：`{pending}`")
    with st.form("totp_enrol"):
        code = st.text_input("应用显示的 6 位数字", max_chars=8, autocomplete="one-time-code")
        submitted = st.form_submit_button("开启两步验证", type="primary")
    if not submitted:
        return
    try:
        with ctx.db.write() as session:
            codes = second_factor.enrol(session, ctx.settings.secret_key, ctx.actor, pending, code)
    except InputError as exc:
        show_errors(exc, {"code": "验证码"})
        return
    st.session_state.pop("totp_pending_secret", None)
    st.session_state[RECOVERY_CODES] = codes
    st.session_state[SECOND_FACTOR_ENROLLED] = True
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
            change_own_password(session, ctx.actor, current, new, repeat,
                                keep_session=st.session_state.get(SESSION_ID))
    except InputError as exc:
        show_errors(exc, {"current": "当前密码", "new": "新密码", "repeat": "再次输入新密码"})
        return
    st.session_state["must_change_password"] = False
    st.toast("新密码已保存")
    st.success("新密码已保存，下次登录请使用新密码。")


def sign_out(ctx: PageContext) -> None:
    """End the portal's session, and after single sign-on the identity provider's too."""
    through_provider = st.session_state.get(SSO_SESSION) is not None
    with ctx.db.write() as session:
        sessions.end(session, st.session_state.get(SESSION_ID))
        audit.record(session, ctx.actor, "sign_out", object_type="official",
                     object_id=ctx.actor.username)
    sign_out_locally("您已安全退出。")
    st.session_state.pop("must_change_password", None)
    if through_provider:
        sso.end()        # the browser leaves for the provider's sign-out, then the home page
        st.stop()
    st.rerun()
