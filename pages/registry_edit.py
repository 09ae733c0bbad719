"""登记检查与名单 (publisher): record one inspection, 明厨亮灶, or a list entry for a business."""
import streamlit as st

from portal.lists import actions as list_actions
from portal.lists.models import BLACK, RED
from portal.lists.queries import business_history
from portal.lists.rules import is_active
from portal.ratings import actions as rating_actions
from portal.ratings.rules import rules as rating_rules
from portal.registry.actions import update_business
from portal.registry.records import SECTOR_OF_TYPE
from portal.rule_sources import flagged
from portal.timeutil import local_today
from portal.ui.layout import page_setup
from portal.ui.sign_views import pick_business, reply_forms, staff_inputs
from portal.ui.widgets import run_action
from portal.ui.page_links import page_link

LABELS = {"name": "名称", "credit_code": "统一社会信用代码", "licence_no": "许可证编号",
          "business_type": "主体业态", "address": "经营场所", "district": "所属区县", "lat": "坐标",
          "inspected_on": "检查日期", "score": "评分", "kind": "类型", "stream_url": "直播地址",
          "reason": "列入原因", "decision_no": "处罚决定书文号", "authority": "作出决定机关",
          "listed_on": "列入日期", "business": "单位", "entry": "名单记录", "removal": "移出",
          "safety_officer": "食品安全员", "safety_director": "食品安全总监",
          "responsible_official": "包保责任人", "responsible_phone": "包保责任人工作电话",
          "text": "回应内容", "received_on": "收到日期", "reply": "回应", "note": "审核意见",
          "_": "内容"}

ctx = page_setup("登记检查与名单", role="publisher", layout="wide")
st.title("登记检查与名单", anchor=False)
st.caption("为一家单位录入一次量化分级检查、登记明厨亮灶，或列入、移出红黑榜。每次登记都记入审计日志并立即公开。")

business = pick_business(ctx)
if business is None:
    st.stop()
page_link("pages/business.py", label="查看公开页面", icon=":material/open_in_new:",
             query_params={"id": str(business.id)})


def save(action, *args, success: str) -> None:
    run_action(ctx, action, *args, labels=LABELS, done=success)


inspect_tab, kitchen_tab, reply_tab, add_tab, remove_tab, registry_tab = st.tabs(
    ["录入检查", "明厨亮灶", "商户回应", "列入红黑榜", "移出红黑榜", "修改登记信息"])
with inspect_tab:
    if not business.is_catering:
        st.info("只有餐饮服务单位参加量化分级。")
    else:
        with st.form("inspection"):
            day = st.date_input("检查日期", value=None, format="YYYY/MM/DD", max_value=local_today())
            score = st.number_input("评分（0–10）", min_value=0.0, max_value=10.0, value=8.0, step=0.1)
            st.caption(flagged(rating_rules()["dynamic_cutoffs"]) + " "
                       + flagged(rating_rules()["annual_cutoffs"]))
            if st.form_submit_button("保存检查结果", type="primary"):
                save(rating_actions.add_inspection, business.id, {"inspected_on": day, "score": score},
                     success="已保存，动态等级已按规则更新。")
with kitchen_tab:
    with st.form("kitchen"):
        kind = st.radio("明厨亮灶方式", rating_rules()["kitchen_display_kinds"], horizontal=True)
        url = st.text_input("公众直播地址（仅“互联网+明厨亮灶”，以 https:// 开头）", max_chars=500)
        if st.form_submit_button("保存", type="primary"):
            save(rating_actions.set_kitchen, business.id, {"kind": kind, "stream_url": url}, success="已保存。")
with reply_tab:
    reply_forms(ctx, business, LABELS)
with add_tab:
    with st.form("list_add"):
        kind = st.radio("名单", [BLACK, RED], horizontal=True,
                        format_func=lambda k: "黑榜（严重违法失信名单）" if k == BLACK else "红榜")
        reason = st.text_area("列入原因", max_chars=300)
        decision = st.text_input("处罚决定书文号（黑榜必填）", max_chars=120)
        authority = st.text_input("作出决定机关", value=ctx.profile.bureau, max_chars=120)
        listed = st.date_input("列入日期", value=None, format="YYYY/MM/DD", max_value=local_today())
        if st.form_submit_button("列入", type="primary"):
            save(list_actions.add_list_entry, business.id,
                 {"kind": kind, "reason": reason, "decision_no": decision, "authority": authority,
                  "listed_on": listed}, success="已列入，可申请提前移出日期和到期日期已按规则计算。")
with remove_tab:
    with ctx.db.read() as session:
        current = [e for e in business_history(session, business.id)
                   if is_active(e.removed_on, e.ends_on, local_today())]
    if not current:
        st.info("这家单位目前不在红黑榜上。")
    else:
        with st.form("list_remove"):
            entry_id = st.selectbox("名单记录", [e.id for e in current], format_func=lambda i: next(
                f"{'黑榜' if e.kind == BLACK else '红榜'}：{e.reason}（{e.listed_on}列入）"
                for e in current if e.id == i))
            removed = st.date_input("移出日期", value=local_today(), format="YYYY/MM/DD",
                                    max_value=local_today())
            why = st.text_input("移出原因", placeholder="如：履行处罚后申请提前移出，经审核同意", max_chars=300)
            sure = st.checkbox("我确认移出（移出后不再公开显示，记录保留）")
            if st.form_submit_button("移出"):
                if not sure:
                    st.error("请先勾选确认。")
                else:
                    save(list_actions.remove_list_entry, entry_id, removed, why, success="已移出。")
with registry_tab:
    with st.form("business_update"):
        name = st.text_input("名称", value=business.name, max_chars=200)
        code = st.text_input("统一社会信用代码", value=business.credit_code or "", max_chars=20)
        licence = st.text_input("许可证编号", value=business.licence_no or "", max_chars=20)
        kinds = list(SECTOR_OF_TYPE)
        kind = st.selectbox("主体业态", kinds, index=kinds.index(business.business_type)
                            if business.business_type in kinds else 0)
        address = st.text_input("经营场所", value=business.address, max_chars=300)
        district_names = [d.name for d in ctx.profile.districts]
        current = next((d.name for d in ctx.profile.districts
                        if d.adcode == business.district_adcode), district_names[0])
        district = st.selectbox("所属区县", district_names, index=district_names.index(current))
        left, right = st.columns(2)
        lat = left.text_input("纬度（WGS-84，可空）", value="" if business.location_approximate else str(business.lat))
        lng = right.text_input("经度（WGS-84，可空）", value="" if business.location_approximate else str(business.lng))
        st.caption("没有坐标时放在区县中心，并向公众注明“位置为区县中心”。")
        staff = staff_inputs(business)
        if st.form_submit_button("保存登记信息", type="primary"):
            save(update_business, business.id,
                 {"name": name, "credit_code": code, "licence_no": licence, "business_type": kind,
                  "address": address, "district": district, "lat": lat, "lng": lng,
                  "licence_date": business.licence_date, **staff}, ctx.profile, success="已保存。")
