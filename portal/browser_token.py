"""The browser token: a random identifier kept in a signed, HttpOnly cookie, so that limits
"per browser" (one survey response per period) survive a reload, a new tab and a restart.

`POST /browser-token` (a plain-def Starlette route on the portal's st.App) gives the
browser a fresh token when it has no valid one, and otherwise leaves the cookie alone. It
takes no input and writes nothing anywhere, so it cannot be used to plant a chosen token in
someone's browser or to grow the database; it answers 204 with no body. Cross-site calls
are refused (the browser says where a request comes from in Sec-Fetch-Site), and a
SameSite=Lax cookie would not be stored from one anyway.

The database never sees a token: what is stored beside a response is its keyed hash
(`token_hash`), so a leaked table cannot be turned back into cookies.
"""
from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import cookies
from portal.personal import keyed_hash

PATH = "/browser-token"
BROWSER = cookies.CookieSpec(name="portal_browser", purpose="browser-token",
                             # Chrome keeps no cookie longer than 400 days.
                             lifetime=timedelta(days=400))
ALLOWED_SITES = {"same-origin", "none"}     # Sec-Fetch-Site of our own pages (none: typed URL)


def token(request_cookies, secret: str) -> str | None:
    """This browser's token if its cookie is one we signed and still valid, else None."""
    return cookies.read(request_cookies, secret, BROWSER)


def token_hash(secret: str, value: str) -> str:
    """What is stored: a keyed hash of the token (64 hex characters)."""
    if not value:
        raise ValueError("no browser token")        # a blank token must never become a key
    return keyed_hash(secret, "browser-token", value)


def token_route(settings) -> Route:
    secret, secure = settings.secret_key, settings.secure_cookies

    def issue(request: Request) -> Response:        # plain def: Starlette runs it in a thread
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in ALLOWED_SITES:
            return Response(status_code=403, headers={"Cache-Control": "no-store"})
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        if token(request.cookies, secret) is None:
            cookies.set_cookie(response, secret, BROWSER, cookies.new_value(), secure)
        return response

    return Route(PATH, issue, methods=["POST"])
