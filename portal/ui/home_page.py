"""首页: the city, headline figures from the database, and the way into each service."""
import pandas as pd
import streamlit as st

from portal import i18n
from portal.i18n import both, t
from portal.numbers import plain
from portal.timeutil import utcnow
from portal.ui import cached, nav
from portal.ui.layout import page_setup
from portal.ui.widgets import demo_notice, page_cards


def render() -> None:
    ctx = page_setup("首页", english=True)
    figures, districts = cached.home(ctx)
    profile = ctx.profile
    english_names = {d.adcode: d.name_en for d in profile.districts}

    st.title(t("{city}食品安全", city=i18n.place(profile.name, profile.name_en)), anchor=False)
    st.markdown("#### " + t("公开与公众参与门户") + "\n"
                + t("由**{bureau}**主办。在这里查询食品安全信息、了解监管工作，并参与监督。",
                    bureau=i18n.place(profile.bureau, profile.bureau_en)))
    demo_notice(any(f.demo for f in figures))

    # What people came to do first (UX.md), then the figures.
    st.subheader(t("办事与查询"))
    page_cards([spec for spec in nav.PAGES if spec.section == nav.PUBLIC and spec.blurb])

    st.subheader(t("本市食品安全概况"))
    for start in range(0, len(figures), 3):
        for column, figure in zip(st.columns(3), figures[start:start + 3]):
            value = i18n.count(figure.value) if isinstance(figure.value, int) else plain(figure.value)
            column.metric(t(figure.label, **figure.args), f"{value} {t(figure.unit)}",
                          help=t(figure.help, **figure.args))

    st.subheader(t("各区县概况"))
    table = pd.DataFrame([{
        both("区县"): i18n.place(d.name, english_names.get(d.adcode, "")),
        both("常住人口（约）"): f"{d.population:,}",
        both("登记食品经营主体"): f"{d.businesses:,}",
        both("餐饮服务单位"): f"{d.catering:,}",
        both("每万人餐饮服务单位"): f"{d.catering / d.population * 10_000:.1f}" if d.population else "—",
    } for d in districts])
    st.table(table.set_index(both("区县")))
    st.caption(t("统计时间：{moment}（按数据库中的当前记录实时计算）。", moment=i18n.moment(utcnow()))
               + (" " if i18n.english() else "") + t("常住人口：") + profile.population_source)
