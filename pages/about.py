"""关于本站与数据说明: what is published, where data comes from, personal data."""
import streamlit as st

from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.widgets import demo_notice

ctx = page_setup("关于本站与数据说明")
st.title("关于本站与数据说明")
demo_notice(cached.demo_present(ctx))

st.markdown(f"""
本站由**{ctx.profile.bureau}**主办，向公众公开食品安全监管信息，并接受公众的投诉举报和监督。

**本站公开的信息**
- 食品安全监督抽检结果（合格与不合格批次），以及每一批不合格食品的核查处置情况；
- 餐饮服务食品安全量化分级、“明厨亮灶”情况，以及红黑榜名单。

**公开信息的来源**：以本局发布的食品安全监督抽检信息公告、量化分级评定结果和信用监管决定为准。
如本站信息与正式公告不一致，以正式公告为准。
""")

with st.expander("什么是“演示数据”？"):
    st.markdown("系统首次启动时，会自动生成一批**演示数据**，用于展示各项功能。演示数据在页面上"
                "都标有“演示数据”字样，不是真实的登记、抽检或执法信息。正式上线时，管理员会清除全部演示数据。")

with st.expander("个人信息保护"):
    st.markdown("""
您在本站提交投诉举报、参与“你点我检”或满意度调查时，我们只收集办理所必需的信息，并依照《中华人民共和国个人信息保护法》处理：
- 姓名、手机号码等个人信息**不会在任何公开页面显示**；工作人员在不需要时看到的也是遮盖后的号码（如 138****1234）；
- 只用于核验身份的信息，以加密散列方式保存；
- 您上传的照片在保存前会去除拍摄地点等附加信息；
- 个人信息在办结后按规定期限保存（本站为 {years} 年），期满删除姓名、电话、描述和照片，删除操作留有记录。
""".replace("{years}", str(ctx.settings.complaint_retention_years)))

with st.expander(f"{ctx.profile.name}的辖区与人口"):
    st.markdown("\n".join(f"- {d.name}（行政区划代码 {d.adcode}）：常住人口约 {d.population:,} 人"
                          for d in ctx.profile.districts))
    st.caption(ctx.profile.population_source)
    st.caption("区县边界来自阿里云 DataV 行政区划数据（已由 GCJ-02 转换为 WGS-84），仅供演示；"
               "正式部署应使用具有审图号的标准地图数据。")
