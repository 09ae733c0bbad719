"""答复模板 (admin): the response templates handlers pick when they reply, close or ask for
more; placeholders are filled from the case. Saving replaces the whole set and is audited."""
import pandas as pd
import streamlit as st

from portal.complaints import templates
from portal.ui.layout import page_setup
from portal.ui.widgets import run_action

ctx = page_setup("答复模板", role="admin", layout="wide")
st.title("答复模板", anchor=False)
st.markdown("办理人员答复、办结或请群众补充材料时，可以选用这里的模板，再按实际情况修改。"
            "花括号中的占位符会换成案件的信息；要写花括号本身，请写 {{ 或 }}。保存后立即生效，并记入审计日志。")

with ctx.db.read() as session:
    current = templates.templates(session)
    customised = templates.is_customised(session)
uses = templates.uses()
st.caption("当前使用：" + ("管理员修改后的模板" if customised else "系统自带的模板（data/complaints/templates.json）"))

with st.expander("可用的占位符"):
    st.dataframe(pd.DataFrame([{"占位符": "{" + k + "}", "含义": v}
                               for k, v in templates.placeholders().items()]),
                 hide_index=True, width="stretch")

frame = pd.DataFrame([{"名称": t.name, "用途": uses.get(t.use, t.use), "正文": t.body} for t in current],
                     columns=["名称", "用途", "正文"])
edited = st.data_editor(
    frame, num_rows="dynamic", hide_index=True, width="stretch", key="templates_editor",
    column_config={"名称": st.column_config.TextColumn(required=True, max_chars=40),
                   "用途": st.column_config.SelectboxColumn(options=list(uses.values()), required=True),
                   "正文": st.column_config.TextColumn(required=True, max_chars=2000, width="large")})
st.caption("在表格最下一行添加新模板；选中行后按删除键删除。")
if st.button("保存模板", type="primary"):
    by_label = {label: key for key, label in uses.items()}
    rows = [{"name": r["名称"], "use": by_label.get(r["用途"], r["用途"]), "body": r["正文"]}
            for r in edited.fillna("").to_dict("records")]
    run_action(ctx, templates.save_templates, rows, labels={"_": "模板"}, done="已保存答复模板",
               rerun=True)
