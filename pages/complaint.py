"""投诉举报: a citizen tells the bureau about a food-safety problem, on a phone, in two minutes."""

import streamlit as st

from portal.complaints import filing, rules
from portal.complaints.models import COMPLAINT, REPORT
from portal.registry import queries as registry
from portal.timeutil import cn_date, local_today
from portal.ui import cached
from portal.ui.complaint_views import PROVISIONAL_NOTE, current_client, kinds_help
from portal.ui.layout import page_setup
from portal.ui.widgets import id_param, show_errors
from portal.validation import InputError

ctx = page_setup("投诉举报")
names = cached.district_names(ctx)
RECEIPT = "complaint_receipt"
FIELDS = ("c_category", "c_occurred", "c_description", "c_claim", "c_name", "c_phone",
          "c_consent", "c_photos", "c_business_name", "c_district", "c_address", "c_query",
          "c_business", "c_unlisted", "c_point")
LABELS = {"kind": "类型", "business_name": "商户名称", "district_adcode": "所在区县", "address": "地址",
          "location": "地图位置", "category": "问题类别", "occurred_on": "发生日期",
          "description": "问题描述", "claim": "诉求", "contact_name": "姓名", "phone": "手机号码",
          "consent": "个人信息处理同意", "photos": "照片", "limit": "提交次数", "_": "填写内容"}

st.title("投诉举报", anchor=False)

receipt = st.session_state.get(RECEIPT)
if receipt:
    kind = "投诉" if receipt.kind == COMPLAINT else "举报"
    st.success(f"我们已收到您的{kind}。请保存下面的**查询编号**和**查询码**：查询进度、补充材料和评价都要用到，"
               "查询码只显示这一次。", icon=":material/check_circle:")
    left, right = st.columns(2)
    with left:
        st.caption("查询编号")
        st.code(receipt.tracking_no, language=None)
    with right:
        st.caption("查询码")
        st.code(receipt.code, language=None)
    what = "决定是否受理" if receipt.due_kind == "accept" else "决定是否立案"
    st.markdown(f"接下来：我们将在 **{cn_date(receipt.due_on)}** 前{what}，并在“进度查询”中告诉您结果"
                + (PROVISIONAL_NOTE if receipt.due_provisional else "") + "。建议截图保存本页。")
    st.page_link("pages/complaint_track.py", label="查询办理进度", icon=":material/manage_search:",
                 query_params={"no": receipt.tracking_no})
    if st.button("再提交一件", icon=":material/add:"):
        st.session_state.pop(RECEIPT)
        st.rerun()
    st.stop()

st.markdown("告诉我们您遇到的食品安全问题。提交后您会得到查询编号和查询码，可随时查看办理进度。")
with st.expander("投诉和举报有什么不同？", expanded=True):
    st.markdown(kinds_help())

kind = st.radio("您要提交的是", [COMPLAINT, REPORT], horizontal=True, key="c_kind",
                format_func=lambda k: "投诉（我受到了损失，请求调解）" if k == COMPLAINT
                else "举报（发现违法行为，请求查处）")

# --- the business -------------------------------------------------------------------------
st.subheader("1. 涉及哪家商户", anchor=False)
preset = id_param(st.query_params, "business")   # from a business page's "投诉举报" link
if preset and "c_business" not in st.session_state:
    st.session_state["c_business"] = preset
unlisted = st.toggle("登记库中找不到这家商户（如流动摊贩）", key="c_unlisted")
business_id = None
if not unlisted:
    query = st.text_input("搜索商户名称或地址", key="c_query", max_chars=registry.MAX_KEYWORD,
                          placeholder="输入名称中的两三个字，如：米粉、超市")
    options: list[int] = []
    labels: dict[int, str] = {}
    with ctx.db.read() as session:
        if st.session_state.get("c_business"):
            chosen = registry.business_in(session, ctx.profile.adcode, st.session_state["c_business"])
            if chosen is not None:
                options.append(chosen.id)
                labels[chosen.id] = f"{chosen.name}（{chosen.address}）"
        if query.strip():
            _, found = registry.search(session, ctx.profile.adcode, query, page=1)
            for b in found:
                if b.id not in labels:
                    options.append(b.id)
                    labels[b.id] = f"{b.name}（{b.address}）"
    if query.strip() and len(options) <= (1 if st.session_state.get("c_business") else 0):
        st.info("没有找到。请换两三个字再搜，或打开上面的“登记库中找不到”直接填写。")
    if options:
        if st.session_state.get("c_business") not in options:
            st.session_state.pop("c_business", None)
        business_id = st.selectbox("选择商户", options, key="c_business", index=None,
                                   placeholder="请从搜索结果中选择", format_func=lambda i: labels[i])

if business_id:
    with ctx.db.read() as session:
        duplicates = filing.open_cases_for_business(session, business_id)
    if duplicates:
        st.warning(f"最近 30 天已有 {len(duplicates)} 件关于这家商户、尚未办结的投诉举报。"
                   "如果是同一个问题，您可以点“我也遇到了同样的问题”，不必重复提交；我们会一并处理。")
        for case in duplicates:
            with st.container(border=True):
                st.markdown(f"**{case.category}** · 发生于 {cn_date(case.occurred_on)} · "
                            f"{cn_date(case.received_on)}提交 · 已有 {case.supporters} 人反映同样问题")
                if st.button("我也遇到了同样的问题", key=f"join_{case.complaint_id}",
                             icon=":material/group_add:"):
                    try:
                        with ctx.db.write() as session:
                            joined = filing.join_case(session, ctx.settings.secret_key,
                                                      case.complaint_id, current_client(ctx))
                    except InputError as exc:
                        st.error(str(exc))
                    else:
                        if joined:
                            st.success("已记录。我们会把您反映的情况一并核查。若您还有不同的问题或需要调解，请继续填写下方表格。")
                        else:
                            st.info("您已经反映过这个问题了，谢谢。")

# The map is built only when asked for: every rerun of this form would otherwise rebuild it.
if st.toggle("在地图上标出位置（可选）", key="c_show_map"):
    from streamlit_folium import st_folium

    from portal.geo import district_of, load_district_shapes
    from portal.maps import base_map, from_display_crs, to_display_crs

    tiles = None if ctx.settings.map_tiles == "none" else ctx.settings.map_tiles
    fmap = base_map(ctx.profile.centre, ctx.profile.zoom, tiles, cached.boundaries(ctx),
                    ctx.settings.tianditu_key)
    point = st.session_state.get("c_point")
    if point:
        import folium

        folium.Marker(to_display_crs(tiles, *point), tooltip="您标出的位置").add_to(fmap)
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
        st.caption(f"已标出：北纬 {point[0]:.5f}，东经 {point[1]:.5f}")
        if st.button("清除位置"):
            st.session_state.pop("c_point")
            st.rerun()
    else:
        st.caption("在地图上点一下商户所在的位置。")

# --- the form -----------------------------------------------------------------------------
with st.form("complaint_form"):
    if unlisted:
        st.text_input("商户名称或招牌", key="c_business_name", max_chars=200,
                      placeholder="如：人民路口无招牌烧烤摊")
        district_options = [d.adcode for d in ctx.profile.districts]
        st.selectbox("所在区县", district_options, key="c_district", index=None,
                     format_func=lambda c: names.get(c, c), placeholder="请选择")
        st.text_input("地址或位置描述", key="c_address", max_chars=200,
                      placeholder="如：永定区人民路 12 号对面")
    st.subheader("2. 发生了什么", anchor=False)
    st.selectbox("问题类别", rules.categories(), key="c_category", index=None,
                 placeholder="请选择最接近的一项")
    st.date_input("发生日期", key="c_occurred", value=None, max_value=local_today(),
                  format="YYYY-MM-DD")
    st.text_area("问题描述", key="c_description", max_chars=2000, height=140,
                 placeholder="什么时间、买了或吃了什么、发现了什么问题（10～2000 字）",
                 help="请如实描述；不要在这里填写您的身份证号等与问题无关的个人信息。")
    st.file_uploader("照片（可选，最多 3 张，JPG/PNG，每张不超过 5 MB）", key="c_photos",
                     type=["jpg", "jpeg", "png"], accept_multiple_files=True, max_upload_size=5,
                     help="照片中的拍摄地点等信息会在保存前自动去除。")
    st.subheader("3. 您的联系方式", anchor=False)
    if kind == COMPLAINT:
        st.text_area("您的诉求", key="c_claim", max_chars=500, height=80,
                     placeholder="如：退货退款、赔偿、赔礼道歉")
        st.text_input("姓名", key="c_name", max_chars=40)
        st.text_input("手机号码", key="c_phone", max_chars=20, placeholder="11 位手机号")
    else:
        st.caption("举报可以匿名。留下联系方式，便于我们核实情况和告知结果；实名举报可能获得奖励。")
        st.text_input("姓名（可选）", key="c_name", max_chars=40)
        st.text_input("手机号码（可选）", key="c_phone", max_chars=20, placeholder="11 位手机号")
    st.markdown("**个人信息处理说明**：我们只为办理本件收集您的姓名和手机号，仅承办人员在需要时可查看完整号码"
                "（每次查看都有记录）；任何公开页面都不会显示您的姓名、电话、照片或描述。"
                f"案件办结满 {ctx.settings.complaint_retention_years} 年后，您的个人信息将被删除。")
    st.checkbox("我已阅读并同意上述个人信息处理说明", key="c_consent")
    submitted = st.form_submit_button("提交", type="primary", icon=":material/send:")
    st.caption(rules.limits()["source"] + "刷新页面不会重置这些限制：它们以手机号和网络地址计算，"
               "同一浏览器会话的限制只是补充。")

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
            "consent": bool(state.get("c_consent"))}
    if not unlisted and business_id is None:
        data["business_name"] = ""
    uploads = [(f.getvalue(), f.name) for f in (state.get("c_photos") or [])]
    try:
        with ctx.db.write() as session:
            result = filing.submit(session, ctx.settings.secret_key, ctx.profile.adcode, data,
                                   uploads, current_client(ctx))
    except InputError as exc:
        show_errors(exc, LABELS)
    except Exception:
        import logging

        logging.getLogger(__name__).exception("complaint submission failed")
        st.error("系统暂时无法保存，您填写的内容都还在。请稍后再点“提交”；如一直失败，请拨打 12315。")
    else:
        for key in FIELDS:
            st.session_state.pop(key, None)
        st.session_state[RECEIPT] = result
        cached.clear()
        st.rerun()
