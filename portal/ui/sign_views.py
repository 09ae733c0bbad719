"""The officials' side of what a business shows at its door: choose a business, print its 公示牌
(portal/signs.py) or a district's with a progress bar, its staff, and its reply on the grade
(portal/ratings/replies.py). Used by 公示牌打印 and 登记检查与名单."""
from __future__ import annotations

import streamlit as st

from portal import signs
from portal.ratings import replies
from portal.registry import queries
from portal.registry.models import Business
from portal.registry.schemas import BusinessFilter
from portal.ui.badge_views import site_base
from portal.timeutil import cn_date, local_today
from portal.ui.widgets import md, run_action

LABELS = {"business": "单位", "district": "区县", "_": "打印范围"}
RESULT = "sign_pdf"


def pick_business(ctx, label: str = "查找单位（名称或地址中的一段）", key: str = "pick") -> Business | None:
    """The official types part of a name and picks one of the matches; None until then."""
    q = st.text_input(label, max_chars=50, key=f"{key}_q")
    if not q.strip():
        st.info("请先输入单位名称查找。")
        return None
    with ctx.db.read() as session:
        total, found = queries.search(session, ctx.profile.adcode, BusinessFilter.from_params({"q": q})[0])
    if not found:
        st.warning("没有找到这家单位。新单位请先通过“导入登记与评级”导入登记信息。")
        return None
    choice = st.selectbox(f"选择单位（共 {total} 家，显示前 {len(found)} 家）", [b.id for b in found],
                          format_func=lambda i: next(f"{b.name}（{b.business_type}，{b.address}）"
                                                     for b in found if b.id == i), key=f"{key}_id")
    return next(b for b in found if b.id == choice)


def staff_inputs(business: Business) -> dict[str, str]:
    """The staff published on the 公示牌 and the door page, as inputs inside a form."""
    st.caption("以下人员信息印在公示牌上并在单位页面公开：只填写其公开身份（姓名）和工作电话，不填个人手机。")
    left, right = st.columns(2)
    values = {"safety_officer": left.text_input("食品安全员", value=business.safety_officer or "", max_chars=40),
              "safety_director": right.text_input("食品安全总监", value=business.safety_director or "",
                                                  max_chars=40)}
    values["responsible_official"] = left.text_input("包保责任人", value=business.responsible_official or "",
                                                     max_chars=40)
    values["responsible_phone"] = right.text_input("包保责任人工作电话", value=business.responsible_phone or "",
                                                   max_chars=30)
    return values


def print_button(ctx, label: str, filename: str, **target) -> None:
    """Print (business_id=… or district=…) with a progress bar; then offer the PDF."""
    if st.button(label, type="primary", key=f"print_{filename}"):
        bar = st.progress(0.0, text="正在生成公示牌…")
        made: list[bytes] = []

        def progress(done: int, total: int) -> None:
            if done == total or done % max(1, total // 50) == 0:
                bar.progress(done / total, text=f"已生成 {done} / {total} 张")

        def draw(session, actor) -> None:
            made.append(signs.print_signs(session, actor, base_url=site_base(ctx),
                                          secret_key=ctx.settings.secret_key, bureau=ctx.profile.bureau,
                                          progress=progress, **target))

        if run_action(ctx, draw, labels=LABELS, done="已生成，请下载后用 A5 纸打印。"):
            st.session_state[RESULT] = (filename, made[0])
        else:
            bar.empty()
    found = st.session_state.get(RESULT)
    if found and found[0] == filename:
        st.download_button("下载 PDF", found[1], file_name=found[0], mime=signs.MEDIA_TYPE,
                           icon=":material/download:", on_click="ignore")


def reply_forms(ctx, business: Business, labels: dict[str, str]) -> None:
    """Enter the business's written reply on its grade; approve or reject pending ones."""
    if not business.is_catering:
        st.info("只有参加量化分级的餐饮服务单位可以回应等级。")
        return
    st.caption("商户对自己的等级有话要说时，可以书面提交回应（如已整改的情况）。录入后须经审核才公开，"
               "显示在单位页面和门口扫码页的等级旁边；只公开最新的一条。审核时删去辱骂、广告和他人个人信息。")
    with st.form("reply_enter", clear_on_submit=True):
        text = st.text_area("回应内容（照商户书面回应录入）", max_chars=replies.MAX_CHARS)
        received = st.date_input("收到日期", value=None, format="YYYY/MM/DD", max_value=local_today())
        if st.form_submit_button("录入，等待审核", type="primary"):
            run_action(ctx, replies.enter_reply, business.id, {"text": text, "received_on": received},
                       labels=labels, done="已录入，审核通过后公开。")
    with ctx.db.read() as session:
        pending = replies.pending_replies(session, business.id)
        shown = replies.published_reply(session, business.id)
    if shown:
        st.markdown(f"**目前公开的回应**（{cn_date(shown.received_on)}收到）：{md(shown.text)}")
    for reply in pending:
        with st.form(f"reply_moderate_{reply.id}"):
            st.markdown(f"**待审核**（{cn_date(reply.received_on)}收到，{md(reply.entered_by)} 录入）：{md(reply.text)}")
            note = st.text_input("审核意见（不通过时必填）", max_chars=300)
            left, right = st.columns(2)
            if left.form_submit_button("通过并公开", type="primary"):
                run_action(ctx, replies.moderate_reply, reply.id, True, note, labels=labels,
                           done="已公开。", rerun=True)
            if right.form_submit_button("不通过"):
                run_action(ctx, replies.moderate_reply, reply.id, False, note, labels=labels,
                           done="已记录，不公开。", rerun=True)
