"""办理时限与节假日 (admin): the deadline rules with their sources, and the holiday
arrangement of years the calendar package does not know."""
import io

import pandas as pd
import streamlit as st

from portal import workdays
from portal.complaints import deadlines, rules
from portal.tables import MAX_BYTES
from portal.timeutil import cn_date, local_today
from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.widgets import md, show_errors
from portal.validation import InputError

ctx = page_setup("办理时限与节假日", role="admin", layout="wide")
st.title("办理时限与节假日", anchor=False)
st.markdown("投诉举报的法定期限按**工作日**计算。工作日以国务院办公厅每年公布的节假日安排为准（含调休上班日）。"
            "本页登记期限规则和尚未内置的年度安排；每次修改都记入审计日志，未办结案件的期限会自动重算。")

with ctx.db.read() as session:
    calendar = workdays.load_calendar(session)
    entered = workdays.entered_years(session)
next_year = local_today().year + 1
if next_year not in calendar.known_years:
    st.warning(f"{next_year} 年的节假日安排还没有登记：跨入 {next_year} 年的期限暂只按周末计算，并标为“暂定”。"
               "国务院办公厅一般在上一年 11 月前后公布，公布后请在“节假日安排”中登记。")

tab_rules, tab_holidays = st.tabs(["期限规则", "节假日安排"])
with tab_rules:
    with ctx.db.read() as session:
        sets = rules.rule_sets(session)
    for rule_set in sets:
        with st.container(border=True):
            flag = "" if rule_set.verified else "　:orange[未经核实]"
            st.markdown(f"**{md(rule_set.name)}**{flag}  \n自 {cn_date(rule_set.effective_from)} 起收到的案件适用"
                        + ("　（数字已由管理员修改）" if rule_set.overridden else ""))
            st.caption(md(rule_set.source))   # rules are data an admin may correct
            current = {"complaint.accept_working_days": rule_set.accept_days,
                       "complaint.close_working_days": rule_set.close_days,
                       "report.decide_working_days": rule_set.decide_days,
                       "report.extension_working_days": rule_set.extension_days}
            with st.form(f"rule_{rule_set.id}"):
                cols = st.columns(4)
                values = {}
                for col, (kind, field, label) in zip(cols, rules.NUMBER_FIELDS):
                    key = f"{kind}.{field}"
                    values[key] = int(col.number_input(label, min_value=1, max_value=365,
                                                       value=current[key], step=1))
                if st.form_submit_button("保存修改"):
                    try:
                        with ctx.db.write() as session:
                            updated = deadlines.set_rule_numbers(session, ctx.actor, rule_set.id, values)
                    except InputError as exc:
                        show_errors(exc, {"rule": "规则"})
                    else:
                        cached.clear()
                        st.success(f"已保存，{updated} 件未办结案件的期限已重算。")

with tab_holidays:
    package_years = sorted(calendar.package_years)
    st.markdown(f"内置日历（chinesecalendar 程序包）包含 {package_years[0]}–{package_years[-1]} 年的安排。")
    if entered:
        st.dataframe(pd.DataFrame([{"年份": y, "放假天数": h, "调休上班天数": w, "来源": s}
                                   for y, h, w, s in entered]), hide_index=True, width="stretch")
    st.markdown("**登记一个年度的安排**：上传 CSV 或 Excel 表格，第一行为表头，包含“日期”“类型”两列"
                "（类型写“休”表示放假，写“班”表示调休上班），可加“名称”列。同一年度再次登记会整体替换。")
    template = pd.DataFrame({"日期": [f"{next_year}-01-01", f"{next_year}-02-06"],
                             "类型": ["休", "班"], "名称": ["元旦", "春节"]})
    buffer = io.BytesIO()
    template.to_csv(buffer, index=False, encoding="utf-8-sig")
    st.download_button("下载模板（CSV）", buffer.getvalue(), file_name=f"holidays_{next_year}.csv",
                       mime="text/csv")
    with st.form("holidays"):
        upload = st.file_uploader("安排表格（.csv、.xlsx 或 .xls）", type=["csv", "xlsx", "xls"],
                                  max_upload_size=MAX_BYTES // 1024 // 1024,
                                  help=f"每个文件不超过 {MAX_BYTES // 1024 // 1024} MB，支持 CSV、XLSX、XLS。")
        source = st.text_input("来源（通知名称和文号）", max_chars=300,
                               placeholder=f"国务院办公厅关于{next_year}年部分节假日安排的通知（国办发明电〔{next_year - 1}〕X号）")
        check = st.form_submit_button("检查", icon=":material/fact_check:")
        confirm = st.form_submit_button("确认登记", type="primary")
    if (check or confirm) and upload is None:
        st.error("请先选择安排表格。")
    elif check or confirm:
        try:
            parsed = workdays.read_file(upload.getvalue(), upload.name)
            if confirm:
                with ctx.db.write() as session:
                    summary = deadlines.enter_year(session, ctx.actor, parsed, source)
        except InputError as exc:
            show_errors(exc, {"file": "文件", "rows": "表格内容", "source": "来源"})
        else:
            st.dataframe(pd.DataFrame([{"日期": cn_date(r.day), "类型": "放假" if r.kind == "holiday" else "调休上班",
                                        "名称": r.name or ""} for r in parsed]), hide_index=True)
            if confirm:
                cached.clear()
                st.success(f"已登记 {summary['year']} 年：放假 {summary['holidays']} 天、调休上班 "
                           f"{summary['makeup_workdays']} 天；{summary['deadlines_recomputed']} 件案件的期限已重算。")
            else:
                st.info("检查通过。核对无误后请点“确认登记”。")
