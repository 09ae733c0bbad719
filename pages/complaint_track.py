"""进度查询: a citizen follows a complaint or report with its tracking number and code."""
import streamlit as st

from portal.complaints import filing, records
from portal.complaints.models import FINISHED_STATUSES, OPEN_STATUSES, RATINGS, REFUSED
from portal.i18n import N_, aside, t
from portal.ui import cached
from portal.ui.clients import current_client
from portal.ui.complaint_views import deadline_text, status_line, timeline
from portal.ui.layout import page_setup
from portal.ui.widgets import attached_photos, md, photo_uploader, show_address, show_errors
from portal.validation import InputError
from portal.ui.page_links import page_link

ctx = page_setup("进度查询", english=True)
TRACK = "track_keys"
LABELS = {"limit": N_("查询次数"), "text": N_("补充说明"), "photos": N_("照片"), "case": N_("案件"),
          "rating": N_("评价"), "comment": N_("意见")}
st.title(t("投诉举报进度查询"), anchor=False)


def lookup(number, code):
    with ctx.db.write() as session:   # failed tries are counted
        return filing.find_case(session, ctx.settings.secret_key, number, code, current_client(ctx))


keys = st.session_state.get(TRACK)
case = None
if keys:
    try:
        case = lookup(*keys)
    except InputError as exc:
        show_errors(exc, LABELS)
        st.stop()
if case is None:
    st.markdown(t("输入提交时得到的**查询编号**和**查询码**，查看办理进度和答复。"))
    with st.form("track"):
        number = st.text_input(t("查询编号"), value=st.query_params.get("no", "")[:20], max_chars=24,
                               placeholder=t("如 TS20261122ABC234"))
        code = st.text_input(t("查询码"), max_chars=12, type="password", placeholder=t("8 位字母和数字"))
        go = st.form_submit_button(t("查询"), type="primary", icon=":material/search:")
    if go:
        try:
            case = lookup(number, code)
        except InputError as exc:
            show_errors(exc, LABELS)
            st.stop()
        if case is None:
            st.error(t("查询编号或查询码不对。请核对后重试（字母不区分大小写）。"
                       "如遗失查询码，请拨打 12315 说明情况。"))
            st.stop()
        st.session_state[TRACK] = (number, code)
        st.rerun()
    if ctx.settings.smtp_url:
        with st.expander(t("忘记查询码？用提交时填写的邮箱找回"), icon=":material/key:"):
            st.markdown(t("提交时填写过电子邮箱的，可以在这里找回：我们生成一个新的查询码发到那个邮箱，原来的查询码随即失效。"))
            with st.form("recover"):
                r_number = st.text_input(t("查询编号"), key="r_number", max_chars=24,
                                         placeholder=t("如 TS20261122ABC234"))
                r_email = st.text_input(t("提交时填写的电子邮箱"), key="r_email", max_chars=254)
                recover = st.form_submit_button(t("发送新的查询码"), icon=":material/send:")
            if recover:
                try:
                    with ctx.db.write() as session:
                        filing.recover_code(session, ctx.settings.secret_key, r_number, r_email,
                                            current_client(ctx))
                except InputError as exc:
                    show_errors(exc, {**LABELS, "number": N_("查询编号"), "email": N_("电子邮箱")})
                else:
                    st.success(t("如果查询编号和邮箱与提交时的一致，新的查询码已发到该邮箱（几分钟内送达，请同时查看垃圾邮件）。"))
    with ctx.db.read() as session:
        from portal.demo.complaints import EXAMPLE_KEY
        from portal.meta import get_meta

        example = get_meta(session, EXAMPLE_KEY) if cached.demo_present(ctx) else None
    if example:
        number, code = example.split()
        st.caption(t("演示数据：可用演示案件的查询编号 {number}、查询码 {code} 体验查询（不是真实案件）。",
                     number=number, code=code))
    st.caption(t("还没有提交过？"))
    page_link("pages/complaint.py", label=t("我要投诉举报"), icon=":material/campaign:")
    st.stop()

# The case's own address carries its number, never its code: whoever opens a shared link
# is asked for the code again.
show_address({"no": case.tracking_no})
if case.is_demo:
    st.warning(t("演示数据：这是程序生成的演示案件，不是真实的投诉举报。"), icon=":material/science:")
status_line(case)
if case.status in OPEN_STATUSES:
    st.info(deadline_text(case), icon=":material/schedule:")
if case.awaiting_citizen:
    st.warning(t("承办人员请您补充材料，请看下方记录，并在页面底部补充。"), icon=":material/priority_high:")
if case.status == REFUSED and case.refusal_reason:
    st.error(t("不予受理的理由：{reason}", reason=md(case.refusal_reason)))
if case.reply and case.status in FINISHED_STATUSES:
    with st.container(border=True):
        st.markdown("**" + t("答复") + "**"
                    + (aside(t("办理结果：{outcome}", outcome=md(case.outcome))) if case.outcome else ""))
        st.text(case.reply)

st.subheader(t("办理记录"), anchor=False)
timeline(case.events)
with ctx.db.read() as session:
    photos = records.photos(session, case.id)
if photos:
    st.caption(t("您提交的照片（{n} 张，已去除拍摄地点等信息）", n=len(photos)))
    st.image([p.content for p in photos], width=120)

if case.status in OPEN_STATUSES:
    st.subheader(t("补充材料"), anchor=False)
    with st.form("more_info", clear_on_submit=False):
        text = st.text_area(t("补充说明"), key="t_info", max_chars=2000,
                            placeholder=t("补充新的情况、购物凭证信息等"))
        photo_uploader("t_photos")
        if st.form_submit_button(t("提交补充材料")):
            try:
                uploads = attached_photos("t_photos")
                with ctx.db.write() as session:
                    fresh = filing.find_case(session, ctx.settings.secret_key, *keys, current_client(ctx))
                    filing.add_information(session, fresh, text, uploads)
            except InputError as exc:
                show_errors(exc, LABELS)
            else:
                st.session_state.pop("t_info", None)
                st.session_state.pop("t_photos", None)
                st.toast(t("已补充，承办人员会看到"))
                st.rerun()
elif case.status in FINISHED_STATUSES and case.rating is None:
    st.subheader(t("评价办理情况"), anchor=False)
    st.markdown(t("您对这次办理满意吗？您的评价会计入公开的满意度统计（不显示您的任何信息）。"))
    with st.form("rate"):
        rating_names = {r: t(r) for r in RATINGS}
        rating = st.radio(t("评价"), RATINGS, index=None, horizontal=True, key="t_rating",
                          format_func=rating_names.get)
        comment = st.text_area(t("意见和建议（可选）"), key="t_comment", max_chars=500)
        if st.form_submit_button(t("提交评价"), type="primary"):
            try:
                with ctx.db.write() as session:
                    fresh = filing.find_case(session, ctx.settings.secret_key, *keys, current_client(ctx))
                    filing.rate(session, fresh, rating or "", comment)
            except InputError as exc:
                show_errors(exc, LABELS)
            else:
                st.toast(t("谢谢您的评价"))
                st.rerun()
elif case.rating:
    st.success(t("您的评价：{rating}。谢谢！", rating=t(case.rating)))

if st.button(t("查询另一件"), icon=":material/logout:"):
    st.session_state.pop(TRACK, None)
    st.query_params.pop("no", None)
    st.rerun()
