"""账号管理 (admin): create, disable/enable, reset password, change roles."""
import pandas as pd
import streamlit as st

from datetime import timedelta

from portal.accounts import actions, identities
from portal.accounts.passwords import random_password
from portal.accounts.rules import ROLES
from portal.accounts.throttle import delayed_usernames
from portal.accounts.views import identity_rows, official_rows, refused_identity_rows
from portal.timeutil import utcnow
from portal.ui.layout import page_setup
from portal.ui.widgets import show_errors
from portal.validation import InputError

ctx = page_setup("账号管理", role="admin", layout="wide")
st.title("账号管理")
st.caption("新建、停用和重置密码都会记入审计日志。新账号和被重置的账号首次登录时必须设置新密码。")

LABELS = {"username": "用户名", "display_name": "姓名", "roles": "角色", "password": "密码", "email": "工作邮箱",
          "issuer": "身份提供方", "subject": "用户标识"}
role_names = list(ROLES)


def role_label(name: str) -> str:
    return ROLES[name]


def show_once(username: str, password: str) -> None:
    st.success(f"账号 {username} 的临时密码如下，只显示这一次。请通过安全渠道告知本人，"
               "本人首次登录后须立即修改。")
    st.code(password, language=None)


with ctx.db.read() as session:
    officials = actions.list_officials(session)
    delayed = delayed_usernames(session, utcnow())
    links = identities.linked(session)
    unlinked = identities.recent_unlinked(session, utcnow() - timedelta(days=30))
st.dataframe(pd.DataFrame(official_rows(officials)), hide_index=True, width="stretch")
usernames = [o.username for o in officials]
delayed = [name for name in delayed if name in usernames]

IDENTITY_NOTICE = "identity_notice"      # what the last link or unlink did, shown after the rerun
# An identity change's confirmation, above the tabs: seen whichever tab the rerun opens.
if notice := st.session_state.pop(IDENTITY_NOTICE, None):
    st.success(notice)
create, roles_tab, email_tab, status_tab, reset_tab, unlock_tab, sso_tab = st.tabs(
    ["新建账号", "调整角色", "工作邮箱", "停用 / 启用 / 结束登录", "重置密码", "解除登录限制", "统一身份认证"],
    key="accounts_tab")      # a key keeps the open tab across the rerun after a change
with create:
    with st.form("create_official"):
        username = st.text_input("用户名", help="3–32 个字符，以小写字母开头，可含数字、点、横线、下划线。")
        display_name = st.text_input("姓名")
        roles = st.multiselect("角色", role_names, format_func=role_label, placeholder="请选择角色")
        submitted = st.form_submit_button("新建账号", type="primary")
    if submitted:
        temporary = random_password()
        try:
            with ctx.db.write() as session:
                actions.create_official(session, ctx.actor, {
                    "username": username, "display_name": display_name, "roles": roles,
                    "password": temporary}, must_change_password=True)
        except InputError as exc:
            show_errors(exc, LABELS)
        else:
            show_once(username.strip().lower(), temporary)

with roles_tab:
    who = st.selectbox("账号", usernames, key="roles_who")
    with st.form("set_roles"):
        current = next((sorted(o.roles) for o in officials if o.username == who), [])
        new_roles = st.multiselect("新的角色", role_names, default=current, format_func=role_label,
                                   placeholder="请选择角色")
        submitted = st.form_submit_button("保存角色")
    if submitted:
        try:
            with ctx.db.write() as session:
                actions.set_roles(session, ctx.actor, who, new_roles)
        except InputError as exc:
            show_errors(exc, LABELS)
        else:
            st.success(f"已保存 {who} 的角色。")
            st.rerun()

with email_tab:
    st.caption("投诉举报处理人员每个工作日上午会收到一封邮件，列出两个工作日内到期和已逾期的案件（只有编号和期限）。"
               "收件地址是这里设置的工作邮箱；留空即删除，不再发送。设置和删除都记入审计日志。")
    who = st.selectbox("账号", usernames, key="email_who")
    with st.form("set_email"):
        current_email = next((o.email or "" for o in officials if o.username == who), "")
        new_email = st.text_input("工作邮箱", value=current_email, max_chars=254,
                                  placeholder="name@example.gov.cn", key=f"email_of_{who}")
        submitted = st.form_submit_button("保存邮箱")
    if submitted:
        try:
            with ctx.db.write() as session:
                actions.set_email(session, ctx.actor, who, new_email)
        except InputError as exc:
            show_errors(exc, LABELS)
        else:
            st.success(f"已保存 {who} 的工作邮箱。")

with status_tab:
    with st.form("set_active"):
        who = st.selectbox("账号", usernames, key="active_who")
        choice = st.radio("设置为", ["停用", "启用"], horizontal=True,
                          help="停用后该账号立即不能再使用，已登录的会话也会在下一次操作时退出。")
        submitted = st.form_submit_button("保存")
    if submitted:
        try:
            with ctx.db.write() as session:
                actions.set_active(session, ctx.actor, who, choice == "启用")
        except InputError as exc:
            show_errors(exc, LABELS)
        else:
            st.success(f"{who} 已{choice}。")
            st.rerun()
    with st.form("reset_second_factor"):
        who = st.selectbox("账号", usernames, key="second_factor_who",
                           help="手机遗失且恢复码也用完时：清除该账号的两步验证，对方下次登录时重新设置；"
                                "其所有登录同时结束。")
        sure = st.checkbox("我已核实是本人申请，确认清除其两步验证")
        submitted = st.form_submit_button("清除两步验证")
    if submitted:
        if not sure:
            st.error("请先勾选确认。")
        else:
            try:
                with ctx.db.write() as session:
                    actions.reset_second_factor(session, ctx.actor, who)
            except InputError as exc:
                show_errors(exc, LABELS)
            else:
                st.success(f"已清除 {who} 的两步验证。")
    with st.form("end_sessions"):
        who = st.selectbox("账号", usernames, key="sessions_who",
                           help="例如设备遗失或在公用电脑上忘记退出：该账号在所有设备上的登录立即结束，"
                                "需要重新输入密码。")
        submitted = st.form_submit_button("结束该账号在所有设备上的登录")
    if submitted:
        try:
            with ctx.db.write() as session:
                ended = actions.end_sessions(session, ctx.actor, who)
        except InputError as exc:
            show_errors(exc, LABELS)
        else:
            st.success(f"已结束 {who} 的 {ended} 个登录。")

with reset_tab:
    with st.form("reset_password"):
        who = st.selectbox("账号", usernames, key="reset_who")
        sure = st.checkbox("我确认要重置该账号的密码（原密码将立即失效）")
        submitted = st.form_submit_button("重置密码")
    if submitted:
        if not sure:
            st.error("请先勾选确认。")
        else:
            with ctx.db.write() as session:
                temporary = actions.reset_password(session, ctx.actor, who)
            show_once(who, temporary)

with unlock_tab:
    st.caption("多次输错密码后，从同一网络地址再次登录需要等待一段时间（逐次延长）；从其他网络登录不受影响。"
               "确认是本人后，可在此立即解除该账号的等待。")
    st.markdown("当前需要等待的账号：" + ("、".join(delayed) if delayed else "无"))
    with st.form("unlock"):
        who = st.selectbox("账号", usernames, key="unlock_who",
                           index=usernames.index(delayed[0]) if delayed else 0)
        submitted = st.form_submit_button("解除登录限制")
    if submitted:
        try:
            with ctx.db.write() as session:
                actions.unlock(session, ctx.actor, who)
        except InputError as exc:
            show_errors(exc, LABELS)
        else:
            st.success(f"已解除 {who} 的登录限制，已记入审计日志。")

with sso_tab:
    st.caption("官员用政务服务统一身份认证平台登录时，门户按“身份提供方 + 用户标识”找到关联的账号，"
               "以该账号的角色登录；没有关联的身份不能登录。登录被拒时，页面会向本人显示这两项，"
               "最近 30 天被拒的身份也列在下面。关联和取消关联都记入审计日志；取消关联会结束通过该身份的登录。")
    st.markdown("**已关联的身份**")
    if links:
        st.dataframe(pd.DataFrame(identity_rows(links)), hide_index=True, width="stretch")
    else:
        st.markdown("暂无。")
    st.markdown("**最近登录被拒、尚未关联的身份**")
    if unlinked:
        st.dataframe(pd.DataFrame(refused_identity_rows(unlinked)), hide_index=True, width="stretch")
    else:
        st.markdown("无。")
    with st.form("link_identity"):
        who = st.selectbox("关联到的账号", usernames, key="identity_who")
        issuer = st.text_input("身份提供方", value=unlinked[0]["issuer"] if unlinked else "",
                               help="身份认证平台的签发方网址（iss），以 https:// 开头。")
        subject = st.text_input("用户标识", value=unlinked[0]["subject"] if unlinked else "",
                                help="该平台给这个人的唯一标识（sub），照登录被拒时页面上显示的原样填写。")
        submitted = st.form_submit_button("关联到该账号", type="primary")
    if submitted:
        try:
            with ctx.db.write() as session:
                identities.link(session, ctx.actor, who, {"issuer": issuer, "subject": subject})
        except InputError as exc:
            show_errors(exc, LABELS)
        else:
            st.session_state[IDENTITY_NOTICE] = f"已把该身份关联到账号 {who}，已记入审计日志。"
            st.rerun()
    if links:
        with st.form("unlink_identity"):
            chosen = st.selectbox("要取消的关联", range(len(links)),
                                  format_func=lambda i: f"{links[i][1]} ← {links[i][0].subject}（{links[i][0].issuer}）")
            sure = st.checkbox("我确认取消这个关联（通过该身份的登录随即结束）")
            submitted = st.form_submit_button("取消关联")
        if submitted:
            if not sure:
                st.error("请先勾选确认。")
            else:
                link = links[chosen][0]
                try:
                    with ctx.db.write() as session:
                        identities.unlink(session, ctx.actor, {"issuer": link.issuer, "subject": link.subject})
                except InputError as exc:
                    show_errors(exc, LABELS)
                else:
                    st.session_state[IDENTITY_NOTICE] = f"已取消账号 {links[chosen][1]} 的这个关联，已记入审计日志。"
                    st.rerun()
