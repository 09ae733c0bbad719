"""网站地图: every public page in one list, where officials sign in, and the open data."""
import streamlit as st

from portal.i18n import t
from portal.ui import nav
from portal.ui.layout import page_setup
from portal.ui.widgets import page_cards

page_setup("网站地图", english=True)
st.title(t("网站地图"), anchor=False)
st.markdown(t("本站的全部栏目，点击即可进入。"))

st.subheader(t(nav.PUBLIC), anchor=False)
page_cards([p for p in nav.PAGES if p.section == nav.PUBLIC and p.path != "pages/sitemap.py"])

st.subheader(t(nav.OFFICIAL), anchor=False)
st.caption(t("供市场监管部门工作人员使用，需要登录。"))
page_cards([p for p in nav.PAGES if p.section == nav.OFFICIAL and p.always])

st.subheader(t("开放数据"), anchor=False)
st.markdown(t("本站的公开数据可由其他网站和应用直接读取，接口说明见 [/api/v1/openapi.json](/api/v1/openapi.json)。"))
