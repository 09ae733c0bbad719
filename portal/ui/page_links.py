"""st.page_link for the links every page draws (the sidebar's and the footer's), without
resolving a path on disk for each.

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


def page_link(path: str, *, label: str, icon: str | None = None, **kwargs) -> None:
    """st.page_link(path, label=..., icon=...) for a page file of the project."""
    st.page_link(_page(path), label=label, icon=icon, **kwargs)
