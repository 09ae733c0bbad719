"""你点我检: after voting, a voter may ask to be mailed when the plan is made and when the
results for the food they voted for are published (portal.notices.voters). Shown only
where the portal can send mail; nothing is followed before the confirmation link is opened."""
from __future__ import annotations

import streamlit as st

from portal.i18n import N_, t
from portal.notices import voters
from portal.ui.clients import current_client
from portal.ui.widgets import md, show_errors
from portal.validation import InputError

LABELS = {"email": N_("电子邮箱"), "candidate": N_("候选项目"), "round": N_("活动"), "limit": N_("次数限制")}


def voter_notice_form(ctx, round_id: int, voter_hash: str) -> None:
    if not ctx.settings.smtp_url:
        return
    with ctx.db.read() as session:
        foods = [c.food for c in voters.voted_candidates(session, round_id, voter_hash)]
    if not foods:
        return
    done = st.session_state.get(f"voter_notice_{round_id}")
    with st.expander(t("抽检计划和结果出来时发邮件告诉我"), icon=":material/mail:", expanded=bool(done)):
        st.markdown(t("您投票的食品：{foods}。填写邮箱，抽检计划确定时和这些食品的抽检结果（合格或不合格项目）"
                      "公布时，我们各发一封邮件告诉您。我们先发一封确认邮件，打开邮件里的链接后才开始通知。"
                      "每封邮件都有退订链接，退订后您的邮箱地址即被删除；邮箱不会和您的手机号关联保存。",
                      foods="、".join(md(f) for f in foods)))
        with st.form(f"voter_notice_form_{round_id}", clear_on_submit=False):
            email = st.text_input(t("电子邮箱"), max_chars=254, placeholder="name@example.com",
                                  key=f"voter_notice_email_{round_id}")
            sent = st.form_submit_button(t("发送确认邮件"), icon=":material/send:")
        if sent:
            try:
                with ctx.db.write() as session:
                    voters.request(session, ctx.settings.secret_key, current_client(ctx), round_id,
                                   voter_hash, email)
            except InputError as exc:
                show_errors(exc, LABELS)
                return
            st.session_state[f"voter_notice_{round_id}"] = True
            done = True
        if done:
            st.success(t("确认邮件已发出（如几分钟内没有收到，请查看垃圾邮件）。打开邮件里的链接后，通知才生效。"
                         "以后再投票给别的食品，可以在这里再申请一次。"))
