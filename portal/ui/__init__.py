"""Streamlit-only helpers: page set-up, navigation, shared widgets. The rest of portal/
never imports Streamlit, so the CLI, benchmarks and plain tests run without it."""
