"""Streamlit-only helpers: page set-up, navigation, shared widgets. The rest of portal/
never imports Streamlit, so the CLI, benchmarks and plain tests run without it."""
import threading

import streamlit as st

from portal import i18n

# t() and the other portal.i18n calls read the visitor's language from this session. A page
# calls t() hundreds of times, and each read of st.session_state takes the session's lock:
# page_setup() reads it once per run into this thread's slot (each run of a page starts with
# page_setup, and the language can change only there), and t() reads the slot.
_this_run = threading.local()


def remember_language() -> None:
    _this_run.language = st.session_state.get(i18n.SESSION_KEY, i18n.DEFAULT)


def forget_language() -> None:
    _this_run.language = None


def _language() -> str:
    language = getattr(_this_run, "language", None)
    return language or st.session_state.get(i18n.SESSION_KEY, i18n.DEFAULT)


i18n.read_language_from(_language)
