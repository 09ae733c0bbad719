"""监管总览: what is due and how the portal's capabilities stand, for officials; each part
links to its own page. Analysts and admins see every part, others their own."""
import streamlit as st

from portal import overview
from portal.surveys.definition import current_survey
from portal.timeutil import cn_datetime, local_today, utcnow
from portal.ui.layout import page_setup
from portal.ui.nav import page as nav_page
from portal.ui.widgets import demo_notice, md
from portal.ui import cached
from portal.ui.page_links import page_link

ctx = page_setup("监管总览", official=True, layout="wide")
st.title("监管总览", anchor=False)
actor = ctx.actor
today = local_today()
sees_all = actor.may("analyst")


def visible(part_roles) -> bool:
    return sees_all or any(actor.may(r) for r in part_roles)


demo_notice(cached.demo_present(ctx))
builders = [
    (("publisher",), lambda s: overview.disposal_part(s, today)),
    (("handler",), lambda s: overview.complaint_part(s, today)),
    (("publisher",), lambda s: overview.round_part(s, today)),
    (("analyst",), lambda s: overview.survey_part(
        s, current_survey(ctx.settings), {d.adcode: d.population for d in ctx.profile.districts})),
]
shown = 0
with ctx.db.read() as session:
    parts = [build(session) for roles, build in builders if visible(roles)]
for part in parts:
    shown += 1
    with st.container(border=True):
        st.subheader(part.title, anchor=False)
        columns = st.columns(len(part.figures))
        for column, (label, value, help_text) in zip(columns, part.figures):
            column.metric(label, value, help=md(help_text) or None)   # a round's title is one
        if part.note:
            st.caption(md(part.note))
        spec = nav_page(part.page)
        if actor.may(spec.role):
            page_link(part.page, label=f"打开“{spec.label}”", icon=spec.icon)
if not shown:
    st.info("您的账号目前没有分配业务角色。请联系系统管理员。")
st.caption(f"统计时间：{cn_datetime(utcnow())}")
