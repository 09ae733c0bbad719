"""审计日志 (admin): every official action, filterable, newest first."""
import pandas as pd
import streamlit as st

from portal.accounts import audit
from portal.accounts.views import audit_rows
from portal.exports import to_csv_bytes
from portal.ui.layout import page_setup

PAGE_SIZE = 200

ctx = page_setup("审计日志", role="admin", layout="wide")
st.title("审计日志")
st.caption("每一次登录、登录失败和写入操作都会追加一条记录；记录不能修改或删除。时间为北京时间。")

with ctx.db.read() as session:
    people = audit.actor_names(session)
left, middle, right, narrow = st.columns([3, 3, 4, 2])
person = left.selectbox("操作人", ["全部"] + people)
action = middle.selectbox("操作", ["全部"] + list(audit.ACTION_LABELS),
                          format_func=lambda a: audit.ACTION_LABELS.get(a, a))
days = right.date_input("日期范围", value=(), format="YYYY/MM/DD", help="不选则显示全部日期。")
page = narrow.number_input("页码", min_value=1, value=1, step=1)

date_from = days[0] if len(days) >= 1 else None
date_to = days[1] if len(days) == 2 else date_from
filters = audit.AuditFilter(actor_name=None if person == "全部" else person,
                            action=None if action == "全部" else action,
                            date_from=date_from, date_to=date_to)
with ctx.db.read() as session:
    total, entries = audit.search(session, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)

st.markdown(f"共 **{total:,}** 条记录，本页显示第 {(page - 1) * PAGE_SIZE + 1 if entries else 0}–"
            f"{(page - 1) * PAGE_SIZE + len(entries)} 条。")
if not entries:
    st.info("没有符合条件的记录。请放宽操作人、操作或日期范围。")
else:
    table = pd.DataFrame(audit_rows(entries))
    st.dataframe(table, hide_index=True, width="stretch")
    st.download_button("下载本页（CSV）", to_csv_bytes(table),
                       file_name="audit_log.csv", mime="text/csv")
