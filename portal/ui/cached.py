"""Cached reads for pages (st.cache_data with a TTL), keyed by database and jurisdiction.
Writers call clear() so that they see their own change at once."""
from __future__ import annotations

import streamlit as st

from portal.demo.generator import has_demo_data
from portal.home import district_overview, headline_figures
from portal.ui.layout import PageContext, get_portal

TTL = 60


@st.cache_data(ttl=TTL, show_spinner=False)
def _home(url: str, adcode: str):
    portal = get_portal()
    with portal.db.read() as session:
        return (headline_figures(session, portal.profile),
                district_overview(session, portal.profile))


def home(ctx: PageContext):
    return _home(ctx.db.url, ctx.profile.adcode)


@st.cache_data(ttl=TTL, show_spinner=False)
def _demo_present(url: str) -> bool:
    with get_portal().db.read() as session:
        return has_demo_data(session)


def demo_present(ctx: PageContext) -> bool:
    return _demo_present(ctx.db.url)


def clear() -> None:
    st.cache_data.clear()
