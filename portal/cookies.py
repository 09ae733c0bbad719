"""Signed cookies: the one mechanism for what the portal keeps in a browser (the survey's
browser token now; officials' sign-in later).

A cookie's value is `itsdangerous`-signed with the portal's secret (settings.secret_key),
salted with the cookie's purpose, so a value made for one purpose is refused for another.
The value carries its own expiry inside the signature: a cookie kept past its time, or
edited to live longer, is refused whatever the browser does. Every failure (absent,
malformed, forged, tampered, another purpose, expired) reads as "no cookie": the caller
never learns why and never trusts any part of a refused value.

Cookies are set HttpOnly (page scripts cannot read them), SameSite=Lax, Path=/, and Secure
when settings.secure_cookies says the site is served over HTTPS. No Streamlit here: a
Starlette route sets them, pages read `st.context.cookies` and hand the mapping to `read`.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Mapping

from itsdangerous import BadData, URLSafeSerializer

from portal.timeutil import utcnow

MAX_VALUE_LENGTH = 1024        # far above what sign() makes; longer values are not parsed


@dataclass(frozen=True)
class CookieSpec:
    """One kind of cookie: its name, what it is for (the signing salt) and how long it lives."""
    name: str
    purpose: str
    lifetime: timedelta


def _serializer(secret: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=f"portal-cookie:{purpose}")


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None:              # the portal's naive datetimes are UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def sign(secret: str, purpose: str, value: str, expires: datetime) -> str:
    """The cookie text for `value`, valid for `purpose` until `expires`."""
    return _serializer(secret, purpose).dumps([value, _epoch(expires)])


def verify(secret: str, purpose: str, signed: str | None, now: datetime | None = None) -> str | None:
    """The value inside a signed text, or None if it is not one we made for this purpose
    and still valid."""
    if not signed or not isinstance(signed, str) or len(signed) > MAX_VALUE_LENGTH:
        return None
    try:
        payload = _serializer(secret, purpose).loads(signed)
    except BadData:
        return None
    if (not isinstance(payload, list) or len(payload) != 2 or not isinstance(payload[0], str)
            or not payload[0] or isinstance(payload[1], bool) or not isinstance(payload[1], int)):
        return None
    value, expires = payload
    if expires <= _epoch(now or utcnow()):
        return None
    return value


def read(cookies: Mapping[str, str], secret: str, spec: CookieSpec,
         now: datetime | None = None) -> str | None:
    """The verified value of `spec`'s cookie among a request's cookies, or None."""
    return verify(secret, spec.purpose, cookies.get(spec.name), now)


def new_value() -> str:
    """A fresh random identifier (256 bits) to put in a cookie."""
    return secrets.token_urlsafe(32)


def set_cookie(response, secret: str, spec: CookieSpec, value: str, secure: bool,
               now: datetime | None = None) -> None:
    """Set `spec`'s cookie on a Starlette response: signed, HttpOnly, SameSite=Lax, Path=/,
    Secure if the site is served over HTTPS, kept by the browser as long as the signature
    says it is valid."""
    now = now or utcnow()
    expires = now + spec.lifetime
    response.set_cookie(spec.name, sign(secret, spec.purpose, value, expires),
                        max_age=int(spec.lifetime.total_seconds()), path="/",
                        secure=secure, httponly=True, samesite="lax")


def clear_cookie(response, spec: CookieSpec, secure: bool) -> None:
    """Tell the browser to drop `spec`'s cookie (e.g. at sign-out)."""
    response.delete_cookie(spec.name, path="/", secure=secure, httponly=True, samesite="lax")
