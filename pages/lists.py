"""红黑榜: the black list (严重违法失信名单) and the red list, side by side."""
import pandas as pd
import streamlit as st

from portal.lists.models import BLACK, RED
from portal.lists.rules import rules
from portal.lists.spec import EXPORT_COLUMNS, SPEC_VERSION, export_record
from portal.i18n import t
from portal.timeutil import local_today
from portal.ui import cached
from portal.ui.layout import page_setup
from portal.ui.list_views import entry_card
from portal import feed_paths
from portal.ui.widgets import demo_notice, download_buttons, feed_link
from portal.ui.page_links import page_link

FIRST_CARDS = 20      # cards per list before 显示其余

ctx = page_setup("红黑榜", layout="wide", english=True)
st.title(t("红黑榜"), anchor=False)
st.markdown(t("**黑榜**是依法列入市场监督管理严重违法失信名单的经营主体；**红榜**是本局表彰的诚信经营单位。"
              "到期或提前移出的单位不再显示在榜上，记录仍保留在该单位的页面上。"))
today = local_today()
demo_notice(cached.list_entries(ctx, today, "")[1])
feed_link(feed_paths.LISTS)

# The box keeps what the visitor typed under its own key; the address (?q=, for sharing) fills
# it only when the page opens. Drawn with value=the address, the box became another widget
# each time the address changed, and every second edit went back to the keyword before.
if "lists_q" not in st.session_state:
    st.session_state["lists_q"] = st.query_params.get("q", "")[:50]
q = st.text_input(t("按名称、统一社会信用代码或原因查找"), key="lists_q", max_chars=50,
                  placeholder=t("例如：超市、9143…"))
if q.strip() != st.query_params.get("q", ""):
    st.query_params["q"] = q.strip()
found, demo = cached.list_entries(ctx, today, q.strip())
black, red = found[BLACK], found[RED]

page_link("pages/map.py", label=t("在地图上查看黑榜单位"), icon=":material/map:",
             query_params={"layer": "black"})
left, right = st.columns(2)
for column, kind, title, entries in (
        (left, BLACK, t("黑榜：严重违法失信名单（{n}）", n=len(black)), black),
        (right, RED, t("红榜：诚信经营单位（{n}）", n=len(red)), red)):
    with column:
        st.subheader(title, anchor=False)
        if not entries:
            st.info(t("榜上没有符合条件的单位。") + (t("请换一个关键词。") if q.strip() else ""))
        # The first cards, then the rest on request: each card costs the server as much as
        # three plain lines of text, and in a surge most visitors look for one name (the
        # search box) or read the top of the list on a phone.
        shown = entries if st.session_state.get(f"lists_all_{kind}") else entries[:FIRST_CARDS]
        for entry in shown:
            entry_card(entry)
        if len(shown) < len(entries):
            st.button(t("显示其余 {n} 家", n=len(entries) - len(shown)), key=f"lists_more_{kind}",
                      icon=":material/expand_more:",
                      on_click=st.session_state.__setitem__, args=(f"lists_all_{kind}", True))

# Built only once opened (opening reruns the page): most visitors never open it.
sources = st.expander(t("依据与下载"), key="sources", on_change="rerun")
with sources:
    if sources.open:
        r = rules()
        st.markdown(r["black_early_removal_years"]["source"])
        page_link("pages/about.py", label=t("本站采用的各项规则及其依据"), icon=":material/gavel:")
        frame = pd.DataFrame([export_record(e) for e in black + red],
                             columns=[c for c, _ in EXPORT_COLUMNS])
        download_buttons(frame, "lists", "红黑榜", today, EXPORT_COLUMNS, SPEC_VERSION,
                         ["演示数据：不是真实名单"] if demo else [])
