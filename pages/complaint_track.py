"""进度查询: a citizen follows a complaint or report with its tracking number and code."""
import streamlit as st

from portal.complaints import filing, records
from portal.complaints.models import FINISHED_STATUSES, OPEN_STATUSES, RATINGS, REFUSED
from portal.ui import cached
from portal.ui.complaint_views import current_client, deadline_text, status_line, timeline
from portal.ui.layout import page_setup
from portal.ui.widgets import show_errors
from portal.validation import InputError

ctx = page_setup("进度查询")
TRACK = "track_keys"
st.title("投诉举报进度查询", anchor=False)


def lookup(number, code):
    with ctx.db.write() as session:   # failed tries are counted
        return filing.find_case(session, ctx.settings.secret_key, number, code, current_client(ctx))


keys = st.session_state.get(TRACK)
case = None
if keys:
    try:
        case = lookup(*keys)
    except InputError as exc:
        show_errors(exc, {"limit": "查询次数"})
        st.stop()
if case is None:
    st.markdown("输入提交时得到的**查询编号**和**查询码**，查看办理进度和答复。")
    with st.form("track"):
        number = st.text_input("查询编号", value=st.query_params.get("no", "")[:20], max_chars=24,
                               placeholder="如 TS20261122ABC234")
        code = st.text_input("查询码", max_chars=12, type="password", placeholder="8 位字母和数字")
        go = st.form_submit_button("查询", type="primary", icon=":material/search:")
    if go:
        try:
            case = lookup(number, code)
        except InputError as exc:
            show_errors(exc, {"limit": "查询次数"})
            st.stop()
        if case is None:
            st.error("查询编号或查询码不对。请核对后重试（字母不区分大小写）。"
                     "如遗失查询码，请拨打 12315 说明情况。")
            st.stop()
        st.session_state[TRACK] = (number, code)
        st.rerun()
    with ctx.db.read() as session:
        from portal.demo.complaints import EXAMPLE_KEY
        from portal.meta import get_meta

        example = get_meta(session, EXAMPLE_KEY) if cached.demo_present(ctx) else None
    if example:
        number, code = example.split()
        st.caption(f"演示数据：可用演示案件的查询编号 {number}、查询码 {code} 体验查询（不是真实案件）。")
    st.caption("还没有提交过？")
    st.page_link("pages/complaint.py", label="我要投诉举报", icon=":material/campaign:")
    st.stop()

if case.is_demo:
    st.warning("演示数据：这是程序生成的演示案件，不是真实的投诉举报。", icon=":material/science:")
status_line(case)
if case.status in OPEN_STATUSES:
    st.info(deadline_text(case), icon=":material/schedule:")
if case.awaiting_citizen:
    st.warning("承办人员请您补充材料，请看下方记录，并在页面底部补充。", icon=":material/priority_high:")
if case.status == REFUSED and case.refusal_reason:
    st.error(f"不予受理的理由：{case.refusal_reason}")
if case.reply and case.status in FINISHED_STATUSES:
    with st.container(border=True):
        st.markdown("**答复**" + (f"（办理结果：{case.outcome}）" if case.outcome else ""))
        st.text(case.reply)

st.subheader("办理记录", anchor=False)
timeline(case.events)
with ctx.db.read() as session:
    photos = records.photos(session, case.id)
if photos:
    st.caption(f"您提交的照片（{len(photos)} 张，已去除拍摄地点等信息）")
    st.image([p.content for p in photos], width=120)

if case.status in OPEN_STATUSES:
    st.subheader("补充材料", anchor=False)
    with st.form("more_info", clear_on_submit=False):
        text = st.text_area("补充说明", key="t_info", max_chars=2000,
                            placeholder="补充新的情况、购物凭证信息等")
        files = st.file_uploader("照片（可选，最多 3 张）", key="t_photos", type=["jpg", "jpeg", "png"], max_upload_size=5,
                                 accept_multiple_files=True)
        if st.form_submit_button("提交补充材料"):
            try:
                with ctx.db.write() as session:
                    fresh = filing.find_case(session, ctx.settings.secret_key, *keys, current_client(ctx))
                    filing.add_information(session, fresh, text, [(f.getvalue(), f.name) for f in files or []])
            except InputError as exc:
                show_errors(exc, {"text": "补充说明", "photos": "照片", "case": "案件"})
            else:
                st.session_state.pop("t_info", None)
                st.session_state.pop("t_photos", None)
                st.toast("已补充，承办人员会看到")
                st.rerun()
elif case.status in FINISHED_STATUSES and case.rating is None:
    st.subheader("评价办理情况", anchor=False)
    st.markdown("您对这次办理满意吗？您的评价会计入公开的满意度统计（不显示您的任何信息）。")
    with st.form("rate"):
        rating = st.radio("评价", RATINGS, index=None, horizontal=True, key="t_rating")
        comment = st.text_area("意见和建议（可选）", key="t_comment", max_chars=500)
        if st.form_submit_button("提交评价", type="primary"):
            try:
                with ctx.db.write() as session:
                    fresh = filing.find_case(session, ctx.settings.secret_key, *keys, current_client(ctx))
                    filing.rate(session, fresh, rating or "", comment)
            except InputError as exc:
                show_errors(exc, {"rating": "评价", "comment": "意见", "case": "案件"})
            else:
                st.toast("谢谢您的评价")
                st.rerun()
elif case.rating:
    st.success(f"您的评价：{case.rating}。谢谢！")

if st.button("查询另一件", icon=":material/logout:"):
    st.session_state.pop(TRACK, None)
    st.rerun()
