"""投诉举报办理 (handler): the queue by legal clock, and one case with its actions."""
import pandas as pd
import streamlit as st

from portal.accounts import audit
from portal.accounts.views import audit_rows
from portal.complaints import handling, records, rules
from portal.complaints.models import KIND_LABELS, PRIORITY_LABELS, STATUS_LABELS
from portal.timeutil import cn_date, cn_datetime
from portal.ui import cached
from portal.ui.complaint_actions import action_tabs, bulk_assign_form, other_cases_notice
from portal.ui.complaint_views import deadline_text, timeline
from portal.ui.layout import page_setup
from portal.ui.widgets import demo_notice, id_param, md, show_errors
from portal.validation import InputError
from portal.ui.page_links import page_link

ctx = page_setup("投诉举报办理", role="handler", layout="wide")
names = cached.district_names(ctx)
units = handling.units([d.name for d in ctx.profile.districts])
st.title("投诉举报办理", anchor=False)
demo_notice(cached.demo_present(ctx))

with ctx.db.read() as session:
    clock = handling.clock_summary(session)
c1, c2, c3, c4 = st.columns(4)
c1.metric("未办结", clock["open"])
c2.metric("已逾期", clock["overdue"], help="已过法定期限仍未作出决定或办结。")
c3.metric("5 个工作日内到期", clock["due_soon"])
c4.metric("待受理", clock["new"], help="新提交、尚未决定是否受理的件数。")

# Filters live in the address (?status=overdue&district=...), so a reload or a shared link
# keeps them: the address seeds the widgets once, and every change is written back.
district_codes = [d.adcode for d in ctx.profile.districts]
from_url = handling.filter_from_params(st.query_params, districts=district_codes, units=units)
for key, value in {"queue_status": from_url.status, "q_kind": from_url.kind or "",
                   "q_district": from_url.district_adcode or "", "q_category": from_url.category or "",
                   "q_unit": from_url.unit or "", "q_priority": from_url.priority or "",
                   "q_number": from_url.tracking_no or ""}.items():
    st.session_state.setdefault(key, value)
with st.expander("筛选", expanded=any(handling.filter_params(from_url))):
    f1, f2, f3, f4, f5 = st.columns(5)
    kind = f1.selectbox("类型", ["", "complaint", "report"], key="q_kind",
                        format_func=lambda k: KIND_LABELS.get(k, "全部"))
    district = f2.selectbox("区县", [""] + district_codes, key="q_district",
                            format_func=lambda c: names.get(c, "全部区县") if c else "全部区县")
    category = f3.selectbox("问题类别", [""] + rules.categories(), key="q_category",
                            format_func=lambda c: c or "全部类别")
    unit = f4.selectbox("承办单位", [""] + units, key="q_unit", format_func=lambda u: u or "全部单位")
    priority = f5.selectbox("优先级", ["", *PRIORITY_LABELS], key="q_priority",
                            format_func=lambda p: PRIORITY_LABELS.get(p, "全部"))
    number = st.text_input("按编号查找", max_chars=24, key="q_number")
status = st.segmented_control("显示", list(handling.STATUS_FILTERS), key="queue_status",
                              format_func=handling.STATUS_FILTERS.get) or "open"
flt = handling.filter_from_params({"status": status, "kind": kind, "district": district,
                                   "category": category, "unit": unit, "priority": priority,
                                   "q": number}, districts=district_codes, units=units)
wanted = handling.filter_params(flt)
for key in handling.FILTER_PARAMS:
    if key in wanted and st.query_params.get(key) != wanted[key]:
        st.query_params[key] = wanted[key]
    elif key not in wanted and key in st.query_params:
        del st.query_params[key]
with ctx.db.read() as session:
    total, rows = handling.queue(session, flt)

URGENCY_COLOURS = {"已逾期": "#fecaca", "今天到期": "#fed7aa", "紧急": "#fed7aa", "临近": "#fef08a",
                   "正常": "#dcfce7"}
if rows:
    frame = pd.DataFrame([{
        "编号": r.tracking_no, "优先级": PRIORITY_LABELS[r.priority], "紧急程度": r.urgency,
        "剩余工作日": r.working_days_left,
        "法定期限": cn_date(r.due_on) + ("（暂定）" if r.due_provisional else "") if r.due_on else "—",
        "期限类型": handling.DUE_KIND_LABELS.get(r.due_kind or "", ""),
        "状态": STATUS_LABELS[r.status] + ("·待群众补充" if r.awaiting_citizen else ""),
        "类型": KIND_LABELS[r.kind], "类别": r.category, "商户": r.business_name,
        "区县": names.get(r.district_adcode or "", ""), "提交日期": cn_date(r.received_on),
        "同问题人数": r.supporters + 1, "承办单位": r.assigned_unit or ""} for r in rows])
    styled = frame.style.map(lambda v: f"background-color: {URGENCY_COLOURS.get(v, '')}",
                             subset=["紧急程度"])
    st.caption(f"共 {total:,} 件" + ("，显示最紧急的 200 件" if total > len(rows) else "")
               + "。按法定期限排序，逾期的在最前；“暂定”表示期限跨入尚未公布节假日安排的年份。")
    st.caption("点选一行查看并办理；勾选多行可一次交办给同一承办单位。")
    picked = st.dataframe(styled, hide_index=True, width="stretch", on_select="rerun",
                          selection_mode="multi-row", key="queue_table")
    chosen = [rows[i] for i in (picked.selection.rows if picked and picked.selection else [])
              if i < len(rows)]
    if len(chosen) == 1:
        st.query_params["id"] = str(chosen[0].complaint_id)
    elif chosen:
        bulk_assign_form(ctx, chosen, units)
else:
    st.info("没有符合条件的案件。")

case_id = id_param(st.query_params, "id")
if not case_id:
    st.caption("在表格中点选一行，查看案件并办理。")
    st.stop()
with ctx.db.read() as session:
    found = records.case_detail(session, case_id)
    if found is not None:
        suggestion = handling.suggested_unit(session, found[0])
        related = handling.other_open_cases(session, found[0])
if found is None:
    st.warning("找不到这件投诉举报。")
    st.stop()
case, photos = found

st.divider()
st.subheader(f"{KIND_LABELS[case.kind]} {case.tracking_no} · {STATUS_LABELS[case.status]}"
             + (" · 紧急" if case.priority == "urgent" else ""), anchor=False)
if case.is_demo:
    st.caption("演示数据：程序生成的演示案件。")
if case.due_on and case.status in handling.OPEN_STATUSES:
    st.markdown(deadline_text(case))
other_cases_notice(related)
left, right = st.columns([3, 2])
with left:
    st.markdown(f"**商户**：{md(case.business_name)}　**区县**：{names.get(case.district_adcode or '', '—')}  \n"
                f"**地址**：{md(case.address or '—')}  \n"
                f"**类别**：{md(case.category)}　**发生日期**：{cn_date(case.occurred_on)}　"
                f"**提交**：{cn_datetime(case.received_at)}")
    if case.business_id:
        page_link("pages/business.py", label="查看商户档案", query_params={"id": str(case.business_id)})
    st.markdown("**问题描述**")
    st.text(case.description or "—")
    if case.claim:
        st.markdown("**诉求**")
        st.text(case.claim)
    if photos:
        st.image([p.content for p in photos], width=200)
with right:
    if case.anonymous:
        st.markdown("**联系人**：匿名举报")
    else:
        st.markdown(f"**联系电话**：{case.phone_masked or '未留'}（已隐去中间四位）")
        with st.form(f"reveal_{case.id}"):
            reason = st.text_input("查看完整姓名和电话的理由", max_chars=200, placeholder="如：电话调解")
            if st.form_submit_button("查看联系方式", icon=":material/visibility:"):
                try:
                    with ctx.db.write() as session:
                        name, phone = handling.reveal_contact(session, ctx.actor, case.id,
                                                              ctx.settings.secret_key, reason)
                except InputError as exc:
                    show_errors(exc, {"text": "理由"})
                else:
                    st.info(f"姓名：{md(name) or '未留'}　电话：{md(phone) or '未留'}　（本次查看已记入审计日志）")
    if case.rating:
        st.markdown(f"**群众评价**：{md(case.rating)}")
        if case.rating_comment:
            st.text(case.rating_comment)
    action_tabs(ctx, case, units, suggestion)

with st.expander("办理记录（含内部记录）", expanded=True):
    timeline(case.events, internal=True)
with st.expander("审计记录"):
    with ctx.db.read() as session:
        _, entries = audit.search(session, audit.AuditFilter(object_type="complaint", object_id=str(case.id)))
    st.dataframe(pd.DataFrame(audit_rows(entries)), hide_index=True, width="stretch")
