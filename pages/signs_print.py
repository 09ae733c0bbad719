"""公示牌打印 (publisher): one business's 公示牌, or all of a district's, as one PDF."""
import streamlit as st

from portal import signs
from portal.ui.layout import page_setup
from portal.ui.sign_views import pick_business, print_button

ctx = page_setup("公示牌打印", role="publisher")
st.title("公示牌打印", anchor=False)
st.caption("打印餐饮服务食品安全等级公示牌（A5）：单位名称、动态等级和笑脸、检查日期和二维码。"
           "扫码打开这家单位的公开页面；等级变了以后，扫旧公示牌会提示“此公示牌为某年某月的等级”，"
           "请及时更换。每次打印都记入审计日志。")
scope = st.radio("打印范围", ["business", "district"], horizontal=True,
                 format_func=lambda s: "一家单位" if s == "business" else "一个区县的全部餐饮服务单位")
if scope == "business":
    business = pick_business(ctx)
    if business is not None:
        print_button(ctx, "生成公示牌", f"公示牌-{business.id}.pdf", business_id=business.id)
else:
    with ctx.db.read() as session:
        counts = {d.adcode: signs.district_count(session, d.adcode) for d in ctx.profile.districts}
    names = {d.adcode: d.name for d in ctx.profile.districts}
    district = st.selectbox("区县", list(names), format_func=lambda a: f"{names[a]}（{counts[a]} 家）")
    st.caption(f"每家一页，按名称排序；一次最多 {signs.MAX_PAGES} 张。")
    print_button(ctx, "生成全区县公示牌", f"公示牌-{names[district]}.pdf", district=district)
