"""导入登记与评级 (publisher): business registry, rating inspections and red/black lists."""
import hashlib

import pandas as pd
import streamlit as st

from portal.importers.registry import import_registry
from portal.tables import MAX_BYTES
from portal.ui import cached
from portal.ui.layout import page_setup

KINDS = {
    "businesses": ("经营主体登记", "主体名称、统一社会信用代码、许可证编号、主体业态、经营场所、所属区县，可选经纬度（WGS-84）。"
                   "没有坐标的单位放在所属区县的中心，并标注“位置为区县中心”。"),
    "grades": ("量化分级检查", "单位名称或统一社会信用代码、检查日期、评分（0–10）。动态等级和年度等级按评级规则自动计算。"),
    "lists": ("红黑榜", "名单类型（黑榜/严重违法失信名单 或 红榜）、名称、统一社会信用代码、列入原因、处罚决定书文号（黑榜必填）、"
              "作出决定机关、列入日期，可选移出日期；未填移出日期时按规则计算。"),
}

ctx = page_setup("导入登记与评级", role="publisher", layout="wide")
st.title("导入登记与评级", anchor=False)
kind = st.radio("要导入的数据", list(KINDS), format_func=lambda k: KINDS[k][0], horizontal=True)
st.caption("表格需要的列：" + KINDS[kind][1] + " 列名可以是常见的不同叫法。同一文件重复导入不会产生重复记录。")
upload = st.file_uploader("表格文件（.xlsx、.xls 或 .csv）", type=["xlsx", "xls", "csv"],
                          help=f"单个文件不超过 {MAX_BYTES // 1024 // 1024} MB。")
if upload is None:
    st.info("请先选择文件。")
    st.stop()

data = upload.getvalue()
key = (kind, hashlib.sha256(data).hexdigest())
if st.session_state.get("registry_trial_key") != key:
    with st.spinner("正在检查文件…"), ctx.db.write() as session:
        st.session_state["registry_trial"] = import_registry(session, ctx.actor, data, upload.name,
                                                             kind, ctx.profile, dry_run=True)
    st.session_state["registry_trial_key"] = key
trial = st.session_state["registry_trial"]
if trial.refused:
    st.error(f"无法导入这个文件：{trial.refused}")
    st.stop()
c1, c2, c3, c4 = st.columns(4)
c1.metric("数据行", f"{trial.rows:,}")
c2.metric("新增", f"{trial.imported:,}")
c3.metric("更正已有的", f"{trial.updated:,}")
c4.metric("有问题（不会导入）", f"{trial.rejected:,}")
if trial.errors:
    st.subheader("有问题的行")
    st.caption("这些行不会导入。请按说明在原表中改正后再次导入同一文件。")
    st.dataframe(pd.DataFrame([{"行号": e["row"], "列": e["column"], "问题": e["message"]}
                               for e in trial.errors]), hide_index=True, width="stretch")
if trial.imported + trial.updated == 0:
    st.warning("没有需要导入的新数据。")
    st.stop()
if st.button(f"确认导入（新增 {trial.imported:,}，更正 {trial.updated:,}）", type="primary"):
    with ctx.db.write() as session:
        report = import_registry(session, ctx.actor, data, upload.name, kind, ctx.profile)
    cached.clear()
    st.session_state.pop("registry_trial_key", None)
    st.success(f"已导入：新增 {report.imported:,}，更正 {report.updated:,}，重复 {report.duplicates:,}，"
               f"{report.rejected:,} 行有问题未导入。")
