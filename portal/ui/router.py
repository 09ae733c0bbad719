"""The pages Streamlit serves, made once per process, and the run of the one asked for.

Without this, Streamlit's `pages/` layout (multipage apps v1) builds a Page for each of the
31 page files on every run: it lists the folder and resolves every path on disk (realpath,
a system call per path component), about a fifth of a public page's server time under a
crowd (issue 17's profile). Here the same pages (the same files, URLs and script hashes, so
links and bookmarks are unchanged) are made once, and each run hands st.navigation fresh
copies of them: st.navigation marks the page it returns as runnable on the object itself, so
two sessions sharing one object could run each other's page or refuse their own.

Calling st.navigation switches Streamlit's `pages/` layout off for the process, but only
from then on: a process whose visitors asked only for pages other than the home page would
never get here. `take_over` calls it once when the server imports the entry script, so that
every run of the process comes here.
"""
from __future__ import annotations

import copy
import logging
import threading

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from portal.ui import nav

ENTRY = "streamlit_app.py"

_made: dict[str, dict[str, st.Page]] = {}      # entry script path → its pages by file path
_lock = threading.Lock()
_inside = threading.local()


def _made_pages() -> dict[str, st.Page]:
    entry = get_script_run_ctx().main_script_path
    made = _made.get(entry)
    if made is None:
        made = {spec.path: st.Page(spec.path, default=spec.path == ENTRY) for spec in nav.PAGES}
        with _lock:
            made = _made.setdefault(entry, made)
    return made


def page(path: str) -> st.Page:
    """The page made once for a page file of nav.PAGES, for links (st.page_link reads a
    page and never marks it runnable, so links may share it)."""
    return _made_pages()[path]


def _pages() -> list:
    return [copy.copy(made) for made in _made_pages().values()]


def take_over() -> None:
    """Switch off Streamlit's `pages/` layout before the first session (called outside any
    run: st.navigation then only records that this app routes its own pages; Streamlit's
    warning that there is no run is expected here and kept out of the server's log)."""
    warns = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = warns.level
    warns.setLevel(logging.ERROR)
    try:
        st.navigation([st.Page(ENTRY, default=True)], position="hidden")
    finally:
        warns.setLevel(level)


def routing() -> bool:
    """True while the entry script runs as the home page (not as the router)."""
    return getattr(_inside, "page", False)


def run() -> None:
    """The entry script's part: pick the page the visitor asked for and run it."""
    page = st.navigation(_pages(), position="hidden")
    _inside.page = True
    try:
        page.run()
    finally:
        _inside.page = False
