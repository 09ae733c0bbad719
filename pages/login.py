"""登录 / 我的账号."""
import streamlit as st

from portal.accounts import second_factor
from portal.accounts.rules import ROLES
from portal.ui import nav
from portal.ui.auth import TAB_NOTE, change_password_form, enrolment_form, sign_in_form, sign_out
from portal.ui.layout import SECOND_FACTOR_ENROLLED, SSO_SESSION, page_setup
from portal.ui.widgets import md
from portal.ui.page_links import page_link

ctx = page_setup("登录")
if ctx.actor is None:
    st.title("监管人员登录")
    st.markdown("本入口仅供市场监督管理部门工作人员使用。公众查询信息、提交投诉举报无需登录。")
    sign_in_form(ctx)
    st.stop()

st.title("我的账号")
must_change = st.session_state.get("must_change_password", False)
if must_change:
    st.warning("您的密码已由管理员重置，请先设置新密码，再使用其他功能。")
st.markdown(f"**{md(ctx.actor.display_name)}**（用户名 `{ctx.actor.username}`）")
st.markdown("角色：" + "、".join(ROLES[r] for r in sorted(ctx.actor.roles)))

work = [p for p in nav.visible_pages(ctx.actor) if p.section == nav.OFFICIAL and not p.always]
if work and not must_change:
    st.subheader("我的工作")
    for spec in work:
        page_link(spec.path, label=spec.label, icon=spec.icon)

with st.expander("修改密码", expanded=must_change):
    change_password_form(ctx)

enrolled = st.session_state.get(SECOND_FACTOR_ENROLLED)
with st.expander("两步验证：" + ("已开启" if enrolled else "未开启"),
                 expanded=not enrolled and second_factor.required(ctx.actor.roles, ctx.settings)):
    if enrolled:
        st.markdown("登录时除密码外，还要输入手机验证器应用显示的动态验证码。换手机时可以在这里重新设置"
                    "（旧手机上的验证码和原来的恢复码随即作废）。")
        if st.toggle("重新设置两步验证"):
            enrolment_form(ctx)
    else:
        st.markdown("开启后，登录时除密码外还要输入手机验证器应用显示的动态验证码，密码泄露也无法登录。"
                    + ("您的账号必须开启。" if second_factor.required(ctx.actor.roles, ctx.settings) else ""))
        enrolment_form(ctx)

st.caption(TAB_NOTE.format(idle=ctx.settings.idle_minutes, hours=ctx.settings.session_hours))
if st.session_state.get(SSO_SESSION) is not None:
    st.caption("本次通过统一身份认证登录；退出登录时，统一身份认证平台上的登录也一并退出。")
if st.button("退出登录", icon=":material/logout:"):
    sign_out(ctx)
