"""st.page_link for every link to a page of the project (the sidebar's, the footer's and the
pages' own), without resolving a path on disk for each, keeping the visitor's language and
大字版.

Given a path, st.page_link resolves it (os.path.realpath) and compares it with every page's
on each call: with the sidebar's links that was about 8 % of a public page's server time
(issue 17's profile). The router's st.Page for the path (made once per process) carries the same
script hash and URL, and st.page_link takes it as it is.
"""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from portal.ui import router


def _page(path: str):
    if get_script_run_ctx() is None:    # outside a page run: st.page_link checks the path itself
        return path
    return router.page(path)          # the router's page, made once per process


KEPT_PARAMS = ("lang", "large")    # the visitor's language and 大字版 travel with every address


def with_visitor_settings(params: dict[str, str]) -> dict[str, str]:
    """params with this visitor's language and 大字版 from the current address (unless
    params set them): for every address the portal writes, a link's or the address bar's."""
    return {**{kept: st.query_params[kept] for kept in KEPT_PARAMS if kept in st.query_params},
            **params}


def page_link(path: str, *, label: str, icon: str | None = None,
              query_params: dict[str, str] | None = None, container=None, **kwargs) -> None:
    """st.page_link(path, label=..., icon=..., query_params=...) for a page file of the
    project. The link keeps the visitor's language and 大字版 (?lang=, ?large=): without them
    the page opened in English, but a reload (which a phone does when it brings a tab back)
    turned it Chinese again. container: where to draw it (a column), default the page."""
    wanted = with_visitor_settings(query_params or {}) if get_script_run_ctx() else dict(query_params or {})
    (container or st).page_link(_page(path), label=label, icon=icon, query_params=wanted or None,
                                **kwargs)
