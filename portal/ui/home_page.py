"""首页: the city, headline figures from the database, and the way into each service."""
import pandas as pd
import streamlit as st

from portal.timeutil import cn_datetime, utcnow
from portal.ui import cached, nav
from portal.ui.layout import page_setup
from portal.ui.widgets import cn_count, demo_notice


def render() -> None:
    ctx = page_setup("首页")
    figures, districts = cached.home(ctx)

    st.title(f"{ctx.profile.name}食品安全", anchor=False)
    st.markdown(f"#### 公开与公众参与门户\n由**{ctx.profile.bureau}**主办。在这里查询食品安全信息、了解监管工作，并参与监督。")
    demo_notice(any(f.demo for f in figures))

    # What people came to do first (UX.md), then the figures.
    st.subheader("办事与查询")
    for spec in nav.PAGES:
        if spec.section == nav.PUBLIC and spec.blurb:
            with st.container(border=True):
                st.page_link(spec.path, label=f"**{spec.label}**", icon=spec.icon)
                st.caption(spec.blurb)

    st.subheader("本市食品安全概况")
    for start in range(0, len(figures), 3):
        for column, figure in zip(st.columns(3), figures[start:start + 3]):
            value = cn_count(figure.value) if isinstance(figure.value, int) else f"{figure.value:g}"
            column.metric(figure.label, f"{value} {figure.unit}", help=figure.help)

    st.subheader("各区县概况")
    table = pd.DataFrame([{
        "区县": d.name, "常住人口（约）": f"{d.population:,}", "登记食品经营主体": f"{d.businesses:,}",
        "餐饮服务单位": f"{d.catering:,}",
        "每万人餐饮服务单位": f"{d.catering / d.population * 10_000:.1f}" if d.population else "—",
    } for d in districts])
    st.table(table.set_index("区县"))
    st.caption(f"统计时间：{cn_datetime(utcnow())}（按数据库中的当前记录实时计算）。常住人口：{ctx.profile.population_source}")
