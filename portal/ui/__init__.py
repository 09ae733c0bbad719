"""Streamlit-only helpers: page set-up, navigation, shared widgets. The rest of portal/
never imports Streamlit, so the CLI, benchmarks and plain tests run without it."""
import streamlit as st

from portal import i18n

# t() and the other portal.i18n calls read the visitor's language from this session.
i18n.read_language_from(lambda: st.session_state.get(i18n.SESSION_KEY, i18n.DEFAULT))
