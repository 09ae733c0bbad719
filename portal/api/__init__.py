"""The open-data API (/api/v1): public data as JSON or CSV, documented as OpenAPI.

Served by the portal itself: streamlit_app.py mounts create_api() on its st.App.
"""
