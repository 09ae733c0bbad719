"""数据导入 (publisher): upload an announcement file, preview what will be published, publish."""
import hashlib

import pandas as pd
import streamlit as st

from portal.importers.sampling import (OUTSIDE_CHOICES, import_sampling, outside_batches,
                                       outside_text, parse_file, place_matcher)
from portal.tables import MAX_BYTES, TableError
from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.page_links import page_link

ctx = page_setup("导入抽检公告", role="publisher", layout="wide")
st.title("导入抽检公告", anchor=False)
st.markdown("上传本局或上级部门发布的食品安全监督抽检信息公告表格（.xlsx、.xls 或 .csv）。"
            "系统会先检查并预览，确认无误后再发布。同一文件重复导入不会产生重复记录；更正后的文件会更新对应批次。")

upload = st.file_uploader("公告表格文件", type=["xlsx", "xls", "csv"],
                          help=f"单个文件不超过 {MAX_BYTES // 1024 // 1024} MB。表头上方的标题行、声明行会自动跳过。")
with st.expander("文件没有表头？"):
    columns_text = st.text_input(
        "按顺序填写各列的列名，用英文逗号分隔",
        help="例如：序号,食品名称,标称生产企业名称,被抽样单位名称,生产日期/批号,分类,公告号,公告日期")
column_names = [c.strip() for c in columns_text.split(",") if c.strip()] or None

if upload is None:
    st.info("请先选择文件。")
    st.stop()

data = upload.getvalue()
try:
    table = parse_file(data, upload.name, column_names)
except TableError as exc:
    st.error(f"无法导入这个文件：{exc}")
    st.stop()

ok, bad = len(table.batches), len(table.errors)
elsewhere = outside_batches(table.batches, place_matcher(ctx.profile))
outside = None
if elsewhere:
    st.warning(f"有 {outside_text(len(elsewhere), ctx.profile)}（例如上级部门或外省的公告）。"
               "外地批次的核查处置由抽样地的监管部门负责，不计入本局的处置期限和逾期数字。请选择如何处理：")
    outside = st.radio("外地批次", list(OUTSIDE_CHOICES), index=None, format_func=OUTSIDE_CHOICES.get,
                       key="sampling_outside")
    with st.expander(f"查看这 {len(elsewhere):,} 个外地批次"):
        st.dataframe(pd.DataFrame([{
            "行号": b.row, "食品名称": b.fields["food_name"], "结果": b.fields["result"],
            "被抽样单位": b.fields["sampled_unit"], "被抽样单位地址": b.fields["sampled_address"],
            "所在省份": b.fields["sampled_province"]} for b in elsewhere[:500]]),
            hide_index=True, width="stretch")
# A trial import (rolled back) tells what is new, corrected or already published; kept per
# file and choice so that other widgets' reruns do not repeat it.
trial_key = ("sampling_trial", hashlib.sha256(data).hexdigest(), tuple(column_names or ()), outside)
if st.session_state.get("sampling_trial_key") != trial_key:
    with st.spinner("正在核对已发布的数据…"), ctx.db.write() as session:
        st.session_state["sampling_trial"] = import_sampling(
            session, ctx.actor, data, upload.name, ctx.profile, dry_run=True,
            column_names=column_names, outside=outside)
    st.session_state["sampling_trial_key"] = trial_key
trial = st.session_state["sampling_trial"]
c1, c2, c3, c4, c5, c6 = st.columns(6)
c1.metric("数据行", f"{table.rows:,}")
c2.metric("新增", f"{trial.imported:,}")
c3.metric("更正已发布的", f"{trial.updated:,}")
c4.metric("已发布过（不重复写入）", f"{trial.duplicates:,}")
c5.metric("有问题（不会发布）", f"{bad:,}")
c6.metric("外地批次", f"{trial.outside:,}",
          help="不能确认在本市抽样的批次：按上方的选择跳过、作为外地批次发布（本局不承担核查处置）或按本市批次发布。")

outside_ids = {id(b) for b in elsewhere}
preview = pd.DataFrame([{
    "行号": b.row, "食品名称": b.fields["food_name"], "结果": b.fields["result"],
    "抽样地": "外地" if id(b) in outside_ids else "本市",
    "被抽样单位": b.fields["sampled_unit"], "标称生产企业": b.fields["producer_name"],
    "公告日期": b.fields["announcement_date"], "分类": b.fields["category"],
    "不合格项目": "；".join(f"{i}║{r or ''}║{s or ''}" for i, r, s in b.failed_items),
} for b in table.batches[:200]])
st.subheader("将要发布的批次（预览前 200 行）")
st.dataframe(preview, hide_index=True, width="stretch")
if bad:
    st.subheader("有问题的行")
    st.caption("这些行不会发布。请按说明在原表中改正后，再次导入同一文件即可（已发布的行不会重复）。")
    st.dataframe(pd.DataFrame([{"行号": e.row, "列": e.column, "问题": e.message}
                               for e in table.errors]), hide_index=True, width="stretch")

if elsewhere and outside is None:
    st.info("请先在上方选择如何处理外地批次，再发布。")
    st.stop()
if trial.imported + trial.updated == 0:
    st.warning("没有需要发布的新数据：可以发布的行都已发布过。" if ok else "没有可以发布的行。")
    st.stop()
if st.button(f"确认发布（新增 {trial.imported:,}，更正 {trial.updated:,}）", type="primary",
             icon=":material/publish:"):
    bar = st.progress(0.0, text="正在写入…")
    with ctx.db.write() as session:
        report = import_sampling(session, ctx.actor, data, upload.name, ctx.profile,
                                 column_names=column_names, outside=outside,
                                 progress=lambda f: bar.progress(min(1.0, f), text="正在写入…"))
    bar.empty()
    cached.clear()
    st.session_state.pop("sampling_trial_key", None)
    if report.refused:
        st.error(f"导入失败：{report.refused}")
    else:
        st.success(f"已发布：新增 {report.imported:,} 批次，更新 {report.updated:,} 批次，"
                   f"重复 {report.duplicates:,} 批次未重复写入，{report.rejected:,} 行有问题未发布"
                   + (f"，跳过外地批次 {report.skipped:,} 个" if report.skipped else "")
                   + (f"；外地批次：{OUTSIDE_CHOICES[outside]}" if outside in ("keep", "local") else "") + "。")
        page_link("pages/sampling.py", label="到“抽检结果”查看", icon=":material/open_in_new:")
