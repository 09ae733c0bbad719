"""The officials' sign-in cookie: two plain-def routes on the portal's st.App.

`POST /official-session` takes the one-time hand-over code (in a header) that the sign-in page put into
its own script (portal.accounts.sessions.start) and answers with the signed, HttpOnly
cookie naming the new session's token; `POST /official-session/end` (sign-out) ends the
session its cookie names and drops the cookie. Both refuse calls from other sites (the
browser says where a request comes from in Sec-Fetch-Site), take no body, and
never say why a code was refused.
"""
from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import cookies
from portal.accounts import sessions

PATH = "/official-session"
# The code travels in a custom header: a page of another site cannot send one without the
# browser asking this server first (CORS), which it never allows.
HANDOFF_HEADER = "x-portal-handoff"
ALLOWED_SITES = {"same-origin"}


def official_cookie(hours: int) -> cookies.CookieSpec:
    return cookies.CookieSpec(name="portal_official", purpose="official-session",
                              lifetime=timedelta(hours=hours))


def signed_in(settings, database, request_cookies) -> bool:
    """Do a request's cookies name a live sign-in session (checked as a page checks it: ended,
    idle, past its lifetime or its official disabled all read as no)?"""
    token = cookies.read(request_cookies, settings.secret_key, official_cookie(settings.session_hours))
    if not token:
        return False
    with database.write() as session:      # a live session notes the activity
        return sessions.resume(session, settings.secret_key, token,
                               timedelta(minutes=settings.idle_minutes)).official is not None


def session_routes(settings, database) -> list[Route]:
    """database: a callable giving the portal's Database (opened on first use)."""
    secret, secure = settings.secret_key, settings.secure_cookies
    spec = official_cookie(settings.session_hours)
    no_store = {"Cache-Control": "no-store"}

    def refused(request: Request) -> bool:
        return request.headers.get("sec-fetch-site") not in ALLOWED_SITES

    def take(request: Request) -> Response:        # plain def: Starlette runs it in a thread
        if refused(request):
            return Response(status_code=403, headers=no_store)
        code = request.headers.get(HANDOFF_HEADER)
        with database().write() as session:
            token = sessions.redeem(session, secret, code)
        if token is None:
            return Response(status_code=403, headers=no_store)
        response = Response(status_code=204, headers=no_store)
        cookies.set_cookie(response, secret, spec, token, secure)
        return response

    def leave(request: Request) -> Response:
        if refused(request):
            return Response(status_code=403, headers=no_store)
        token = cookies.read(request.cookies, secret, spec)
        if token:
            with database().write() as session:
                sessions.end_by_token(session, secret, token)
        response = Response(status_code=204, headers=no_store)
        cookies.clear_cookie(response, spec, secure)
        return response

    return [Route(PATH, take, methods=["POST"]), Route(PATH + "/end", leave, methods=["POST"])]
