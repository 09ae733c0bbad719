"""The footer a Chinese government site carries, at the end of every page: 主办单位, 联系我们,
网站地图, and the ICP备案号, 公安机关备案号 and 政府网站标识码 from the settings (each line
hidden while its setting is empty)."""
from __future__ import annotations

import re

import streamlit as st

from portal import i18n
from portal.config import Settings
from portal.i18n import t
from portal.ui.page_links import page_link
from portal.ui.widgets import md

ICP_URL = "https://beian.miit.gov.cn/"
PSB_URL = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"
HOTLINE = "12315"


def psb_link(number: str) -> str:
    """The public-security record's page: its digits (the setting is checked in config)."""
    return PSB_URL.format(code="".join(re.findall(r"\d", number)))


def lines(settings: Settings, profile) -> list[str]:
    """The footer's lines as markdown (values escaped; the links are constants)."""
    sponsor = md(settings.site_sponsor) if settings.site_sponsor else \
        md(i18n.place(profile.bureau, profile.bureau_en))
    out = [t("主办单位：{name}", name=sponsor)]
    contact = []
    if settings.contact_phone:
        contact.append(t("电话 {phone}", phone=md(settings.contact_phone)))
    if settings.contact_address:
        contact.append(t("地址 {address}", address=md(settings.contact_address)))
    contact.append(t("食品安全投诉举报电话 {hotline}", hotline=HOTLINE))
    out.append(t("联系我们：") + " · ".join(contact))
    records = []
    if settings.icp_number:
        records.append(f"[{md(settings.icp_number)}]({ICP_URL})")
    if settings.psb_number:
        records.append(f"[{md(settings.psb_number)}]({psb_link(settings.psb_number)})")
    if settings.site_code:
        records.append(t("政府网站标识码：{code}", code=md(settings.site_code)))
    if records:
        out.append("　".join(records))
    return out


def draw(container, settings: Settings, profile) -> None:
    with container:
        st.divider()
        with st.container(horizontal=True, gap="medium"):
            page_link("pages/sitemap.py", label=t("网站地图"), icon=":material/account_tree:")
            page_link("pages/about.py", label=t("关于本站"), icon=":material/info:")
        # Markdown, not a caption: a caption's 60 % opacity takes its links below WCAG AA.
        st.markdown("  \n".join(lines(settings, profile)))
