"""投诉举报: a citizen tells the bureau about a food-safety problem, on a phone, in two minutes."""

import streamlit as st

from portal.complaints import filing, rules
from portal.complaints.models import COMPLAINT, REPORT
from portal.notices import sms
from portal.registry import queries as registry
from portal.registry.schemas import BusinessFilter
from portal.i18n import N_, aside, day, t
from portal.timeutil import local_today
from portal.ui import cached
from portal.ui.clients import current_client
from portal.ui.complaint_views import category_label, kinds_help, provisional_note
from portal.ui.i18n_views import district_labels
from portal.ui.layout import page_setup
from portal.ui.notice_views import follow_form
from portal.ui.widgets import attached_photos, id_param, photo_uploader, show_errors
from portal.validation import MAX_QUERY, InputError, Message
from portal.ui.page_links import page_link

ctx = page_setup("投诉举报", english=True)
names = district_labels(ctx)
RECEIPT, RECEIPT_BUSINESS = "complaint_receipt", "complaint_receipt_business"
FIELDS = ("c_category", "c_occurred", "c_description", "c_claim", "c_name", "c_phone", "c_email",
          "c_sms", "c_consent", "c_photos", "c_business_name", "c_district", "c_address", "c_query",
          "c_business", "c_unlisted", "c_point")
LABELS = {"kind": N_("类型"), "business": N_("商户"), "business_name": N_("商户名称"), "district_adcode": N_("所在区县"),
          "address": N_("地址"), "location": N_("地图位置"), "category": N_("问题类别"),
          "occurred_on": N_("发生日期"), "description": N_("问题描述"), "claim": N_("诉求"),
          "contact_name": N_("姓名"), "phone": N_("手机号码"), "email": N_("电子邮箱"), "consent": N_("个人信息处理同意"),
          "photos": N_("照片"), "limit": N_("提交次数"), "_": N_("填写内容")}

st.title(t("投诉举报"), anchor=False)

receipt = st.session_state.get(RECEIPT)
if receipt:
    st.success((t("我们已收到您的投诉。") if receipt.kind == COMPLAINT else t("我们已收到您的举报。"))
               + t("请保存下面的**查询编号**和**查询码**：查询进度、补充材料和评价都要用到，"
                   "查询码只显示这一次。"), icon=":material/check_circle:")
    left, right = st.columns(2)
    with left:
        st.caption(t("查询编号"))
        st.code(receipt.tracking_no, language=None)
    with right:
        st.caption(t("查询码"))
        st.code(receipt.code, language=None)
    next_step = (N_("接下来：我们将在 **{day}** 前决定是否受理，并在“进度查询”中告诉您结果")
                 if receipt.due_kind == "accept" else
                 N_("接下来：我们将在 **{day}** 前决定是否立案，并在“进度查询”中告诉您结果"))
    st.markdown(t(next_step, day=day(receipt.due_on))
                + (provisional_note() if receipt.due_provisional else "") + t("。建议截图保存本页。"))
    page_link("pages/complaint_track.py", label=t("查询办理进度"), icon=":material/manage_search:",
                 query_params={"no": receipt.tracking_no})
    followed = st.session_state.get(RECEIPT_BUSINESS)
    if followed and ctx.settings.smtp_url:
        st.caption(t("您还可以关注这家商户：以后它一有不合格抽检结果，我们就发邮件告诉您。"))
        follow_form(ctx, "business", str(followed), "after_complaint")
    if st.button(t("再提交一件"), icon=":material/add:"):
        st.session_state.pop(RECEIPT)
        st.session_state.pop(RECEIPT_BUSINESS, None)
        st.rerun()
    st.stop()

st.markdown(t("告诉我们您遇到的食品安全问题。提交后您会得到查询编号和查询码，可随时查看办理进度。"))
with st.expander(t("投诉和举报有什么不同？"), expanded=True):
    st.markdown(kinds_help())

# Labels are worked out here, not inside format_func: AppTest calls format_func outside the
# page run, where the visitor's language is not known.
KIND_CHOICES = {COMPLAINT: t("投诉（我受到了损失，请求调解）"), REPORT: t("举报（发现违法行为，请求查处）")}
CATEGORY_NAMES = {name: category_label(name) for name in rules.categories()}
kind = st.radio(t("您要提交的是"), [COMPLAINT, REPORT], horizontal=True, key="c_kind",
                format_func=KIND_CHOICES.get)



def _chosen_from_search(exc: InputError) -> InputError:
    """Until 登记库中找不到 is switched on the form asks for a business from the search, not
    for its name and district (those fields are not on the screen): one message says what
    to do instead of two about fields the citizen cannot see."""
    errors = dict(exc.errors)
    name, district = errors.pop("business_name", None), errors.pop("district_adcode", None)
    if name is not None or district is not None:
        errors = {"business": Message("请在搜索结果中选择商户；找不到时，打开上面的“登记库中找不到这家商户”，"
                                      "填写名称和所在区县"), **errors}
    return InputError(errors)


# --- the business -------------------------------------------------------------------------
st.subheader(t("1. 涉及哪家商户"), anchor=False)
preset = id_param(st.query_params, "business")   # from a business page's "投诉举报" link
if preset and "c_business" not in st.session_state:
    st.session_state["c_business"] = preset
unlisted = st.toggle(t("登记库中找不到这家商户（如流动摊贩）"), key="c_unlisted")
business_id = None
if not unlisted:
    query = st.text_input(t("搜索商户名称或地址"), key="c_query", max_chars=MAX_QUERY,
                          placeholder=t("输入名称中的两三个字，如：米粉、超市"))
    options: list[int] = []
    labels: dict[int, str] = {}
    with ctx.db.read() as session:
        if st.session_state.get("c_business"):
            chosen = registry.business_in(session, ctx.profile.adcode, st.session_state["c_business"])
            if chosen is not None:
                options.append(chosen.id)
                labels[chosen.id] = chosen.name + aside(chosen.address)
        if query.strip():
            _, found = registry.search(session, ctx.profile.adcode,
                                       BusinessFilter.from_params({"q": query})[0])
            for b in found:
                if b.id not in labels:
                    options.append(b.id)
                    labels[b.id] = b.name + aside(b.address)
    if query.strip() and len(options) <= (1 if st.session_state.get("c_business") else 0):
        st.info(t("没有找到。请换两三个字再搜，或打开上面的“登记库中找不到”直接填写。"))
    if options:
        if st.session_state.get("c_business") not in options:
            st.session_state.pop("c_business", None)
        business_id = st.selectbox(t("选择商户"), options, key="c_business", index=None,
                                   placeholder=t("请从搜索结果中选择"), format_func=lambda i: labels[i])

if business_id:
    with ctx.db.read() as session:
        duplicates = filing.open_cases_for_business(session, business_id)
    if duplicates:
        st.warning(t("最近 30 天已有 {n} 件关于这家商户、尚未办结的投诉举报。"
                     "如果是同一个问题，您可以点“我也遇到了同样的问题”，不必重复提交；我们会一并处理。",
                     n=len(duplicates)))
        for case in duplicates:
            with st.container(border=True):
                st.markdown(f"**{category_label(case.category)}** · "
                            + t("发生于 {occurred} · {received}提交", occurred=day(case.occurred_on),
                                received=day(case.received_on))
                            + (" · " + t("另有 {n} 人反映同样问题", n=case.supporters)
                               if case.supporters else ""))
                if st.button(t("我也遇到了同样的问题"), key=f"join_{case.complaint_id}",
                             icon=":material/group_add:"):
                    try:
                        with ctx.db.write() as session:
                            joined = filing.join_case(session, ctx.settings.secret_key,
                                                      case.complaint_id, current_client(ctx))
                    except InputError as exc:
                        show_errors(exc, LABELS)
                    else:
                        if joined:
                            st.success(t("已记录。我们会把您反映的情况一并核查。若您还有不同的问题或需要调解，请继续填写下方表格。"))
                        else:
                            st.info(t("您已经反映过这个问题了，谢谢。"))

# The map is built only when asked for: every rerun of this form would otherwise rebuild it.
if st.toggle(t("在地图上标出位置（可选）"), key="c_show_map"):
    from streamlit_folium import st_folium

    from portal.geo import district_of, load_district_shapes
    from portal.maps import base_map, from_display_crs, to_display_crs

    tiles = None if ctx.settings.map_tiles == "none" else ctx.settings.map_tiles
    fmap = base_map(ctx.profile.centre, ctx.profile.zoom, tiles, ctx.profile.boundaries_path,
                    ctx.settings.tianditu_key)
    point = st.session_state.get("c_point")
    if point:
        import folium

        folium.Marker(to_display_crs(tiles, *point), tooltip=t("您标出的位置")).add_to(fmap)
    clicked = st_folium(fmap, height=320, use_container_width=True, key="c_map",
                        returned_objects=["last_clicked"])
    click = (clicked or {}).get("last_clicked")
    if click:
        lat, lng = from_display_crs(tiles, click["lat"], click["lng"])
        if point != (round(lat, 6), round(lng, 6)):
            st.session_state["c_point"] = (round(lat, 6), round(lng, 6))
            district = district_of(load_district_shapes(str(ctx.profile.boundaries_path)), lat, lng)
            if district and not st.session_state.get("c_district"):
                st.session_state["c_district"] = district
            st.rerun()
    if point:
        st.caption(t("已标出：北纬 {lat:.5f}，东经 {lng:.5f}", lat=point[0], lng=point[1]))
        if st.button(t("清除位置")):
            st.session_state.pop("c_point")
            st.rerun()
    else:
        st.caption(t("在地图上点一下商户所在的位置。"))

# --- the form -----------------------------------------------------------------------------
with st.form("complaint_form"):
    if unlisted:
        st.text_input(t("商户名称或招牌"), key="c_business_name", max_chars=200,
                      placeholder=t("如：人民路口无招牌烧烤摊"))
        district_options = [d.adcode for d in ctx.profile.districts]
        st.selectbox(t("所在区县"), district_options, key="c_district", index=None,
                     format_func=lambda c: names.get(c, c), placeholder=t("请选择"))
        st.text_input(t("地址或位置描述"), key="c_address", max_chars=200,
                      placeholder=t("如：永定区人民路 12 号对面"))
    st.subheader(t("2. 发生了什么"), anchor=False)
    st.selectbox(t("问题类别"), rules.categories(), key="c_category", index=None,
                 placeholder=t("请选择最接近的一项"), format_func=CATEGORY_NAMES.get)
    st.date_input(t("发生日期"), key="c_occurred", value=None, max_value=local_today(),
                  format="YYYY/MM/DD")
    st.text_area(t("问题描述"), key="c_description", max_chars=2000, height=140,
                 placeholder=t("什么时间、买了或吃了什么、发现了什么问题（10～2000 字）"),
                 help=t("请如实描述；不要在这里填写您的身份证号等与问题无关的个人信息。"))
    photo_uploader("c_photos")
    st.subheader(t("3. 您的联系方式"), anchor=False)
    if kind == COMPLAINT:
        st.text_area(t("您的诉求"), key="c_claim", max_chars=500, height=80,
                     placeholder=t("如：退货退款、赔偿、赔礼道歉"))
        st.text_input(t("姓名"), key="c_name", max_chars=40)
        st.text_input(t("手机号码"), key="c_phone", max_chars=20, placeholder=t("11 位手机号"))
    else:
        st.caption(t("举报可以匿名。留下联系方式，便于我们核实情况和告知结果；实名举报可能获得奖励。"))
        st.text_input(t("姓名（可选）"), key="c_name", max_chars=40)
        st.text_input(t("手机号码（可选）"), key="c_phone", max_chars=20, placeholder=t("11 位手机号"))
    if sms.available(ctx.settings):
        st.checkbox(t("用短信把查询编号和查询码发到这个手机号，办理状态每有变化也发短信告诉我"), key="c_sms",
                    help=t("每条短信都有一个管理链接，打开后可以随时停止接收，停止后手机号即从通知名单中删除。"))
    if ctx.settings.smtp_url:
        st.text_input(t("电子邮箱（可选）"), key="c_email", max_chars=254, placeholder="name@example.com",
                      help=t("填写后，我们把查询编号和查询码发到这个邮箱，办理状态每有变化也发邮件告诉您；"
                             "忘记查询码时可以用它找回。每封邮件都可以一键退订，退订后邮箱地址即被删除。"))
    st.markdown(t("**个人信息处理说明**：我们只为办理本件收集您的姓名和手机号，仅承办人员在需要时可查看完整号码"
                  "（每次查看都有记录）；任何公开页面都不会显示您的姓名、电话、照片或描述。"
                  "案件办结满 {years} 年后，您的个人信息将被删除。",
                  years=ctx.settings.complaint_retention_years))
    st.checkbox(t("我已阅读并同意上述个人信息处理说明"), key="c_consent")
    submitted = st.form_submit_button(t("提交"), type="primary", icon=":material/send:")
    st.caption(t("每个手机号每天最多提交 {phone} 件，每个网络地址每天最多 {address} 件（按北京时间计）。"
                 "刷新页面不会重置这些限制：它们以手机号和网络地址计算，同一浏览器会话的限制只是补充。",
                 phone=rules.limits()["per_phone_per_day"], address=rules.limits()["per_address_per_day"]))

if submitted:
    state = st.session_state
    point = state.get("c_point")
    data = {"kind": kind, "business_id": None if unlisted else business_id,
            "business_name": state.get("c_business_name", "") if unlisted else "",
            "district_adcode": state.get("c_district") or "" if unlisted else "",
            "address": state.get("c_address", "") if unlisted else "",
            "lat": point[0] if point else None, "lng": point[1] if point else None,
            "category": state.get("c_category") or "", "occurred_on": state.get("c_occurred"),
            "description": state.get("c_description", ""),
            "claim": state.get("c_claim", "") if kind == COMPLAINT else "",
            "contact_name": state.get("c_name", ""), "phone": state.get("c_phone", ""),
            "email": state.get("c_email", ""), "consent": bool(state.get("c_consent")),
            "sms_notices": bool(state.get("c_sms")) and sms.available(ctx.settings)}
    if not unlisted and business_id is None:
        data["business_name"] = ""
    try:
        uploads = attached_photos("c_photos")
        with ctx.db.write() as session:
            result = filing.submit(session, ctx.settings.secret_key, ctx.profile.adcode, data,
                                   uploads, current_client(ctx))
    except InputError as exc:
        show_errors(exc if unlisted else _chosen_from_search(exc), LABELS)
    except Exception:
        import logging

        logging.getLogger(__name__).exception("complaint submission failed")
        st.error(t("系统暂时无法保存，您填写的内容都还在。请稍后再点“提交”；如一直失败，请拨打 12315。"))
    else:
        for key in FIELDS:
            st.session_state.pop(key, None)
        st.session_state[RECEIPT] = result
        st.session_state[RECEIPT_BUSINESS] = data["business_id"]     # offered to follow on the receipt
        cached.clear()
        st.rerun()
