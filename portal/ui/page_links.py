"""st.page_link for the links every page draws (the sidebar's and the footer's), without
resolving a path on disk for each.

Given a path, st.page_link resolves it (os.path.realpath) and compares it with every page's
on each call: with the sidebar's links that was about 8 % of a public page's server time
(issue 17's profile). A st.Page made once per process and path carries the same script hash
and URL, and st.page_link takes it as it is.
"""
from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

_PAGES: dict[tuple[str, str], st.Page] = {}
_LOCK = threading.Lock()


def _page(path: str):
    run = get_script_run_ctx()
    if run is None:             # outside a page run: st.page_link checks the path itself
        return path
    key = (run.main_script_path, path)
    page = _PAGES.get(key)
    if page is None:
        main = Path(run.main_script_path)
        # The entry script is the default page, whose URL is the site's root.
        default = (main.parent / path).resolve() == main.resolve()
        page = st.Page(path, default=default)
        with _LOCK:
            _PAGES[key] = page
    return page


def page_link(path: str, *, label: str, icon: str | None = None, **kwargs) -> None:
    """st.page_link(path, label=..., icon=...) for a page file of the project."""
    st.page_link(_page(path), label=label, icon=icon, **kwargs)
