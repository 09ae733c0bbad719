"""The routes streamlit_app.py hands to st.App: the API under /api/v1, the route that gives
a browser its signed token cookie (portal.browser_token), and the officials' sign-in cookie
routes (portal.official_session)."""
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
