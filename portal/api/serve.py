"""The routes streamlit_app.py hands to st.App: the API under /api/v1, the route that gives
a browser its signed token cookie (portal.browser_token), and the officials' sign-in cookie
routes (portal.official_session); and its middleware: the per-session upload limits
(portal.upload_limits)."""
from __future__ import annotations

from starlette.routing import Mount, Route

from portal.api.app import create_api
from portal.config import load_settings
from portal.runtime import get_portal   # the pages' Portal too: one engine per process


def api_routes() -> list[Mount]:
    settings = load_settings()
    api = create_api(get_portal, per_minute=settings.api_requests_per_minute,
                     trusted_proxy=settings.trusted_proxy, public_url=settings.public_url)
    return [Mount("/api/v1", app=api)]


def browser_token_route() -> Route:
    from portal.browser_token import token_route

    return token_route(load_settings())


def official_session_routes() -> list[Route]:
    from portal.official_session import session_routes

    return session_routes(load_settings(), lambda: get_portal().db)


def upload_limits_middleware():
    """portal.upload_limits on Streamlit's own upload manager, with officials recognised by
    their sign-in cookie."""
    from starlette.middleware import Middleware
    from streamlit.runtime import Runtime

    from portal.official_session import signed_in
    from portal.upload_limits import UploadLimits

    settings = load_settings()

    def files():
        return Runtime.instance().uploaded_file_mgr

    def held(session_id: str, except_file: str) -> int:
        stored = getattr(files(), "file_storage", {}).get(session_id) or {}
        return sum(len(f.data) for file_id, f in list(stored.items()) if file_id != except_file)

    def held_total() -> int:
        # The manager's one published figure (what /_stcore/metrics shows).
        return sum(stat.byte_length for family in files().get_stats().values() for stat in family)

    return Middleware(UploadLimits, held=held, held_total=held_total,
                      is_official=lambda cookies: signed_in(settings, get_portal().db, cookies))
