"""Single sign-on through Streamlit's st.login (OpenID Connect): which provider, if any, and
what its sign-in says. The portal's side (linked identities, sessions) is
portal.accounts.identities; the sign-in flow is portal.ui.auth.

It is on when .streamlit/secrets.toml has Streamlit's [auth] block: redirect_uri (the one
public https://PUBLIC/oauth2callback), cookie_secret, and one provider, either directly in
[auth] (client_id, client_secret, server_metadata_url) or as the single [auth.NAME] section.
"""
from __future__ import annotations

import importlib.util
import logging
from collections.abc import Mapping

import streamlit as st

from portal.accounts.identities import Claims, claims_from

log = logging.getLogger(__name__)
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
DEFAULT = "default"       # st.login's name for the provider written directly in [auth]


def _auth_section() -> Mapping:
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        section = st.secrets.get("auth")
    except Exception as exc:          # an unreadable secrets file: sign-in by password still works
        log.error("single sign-on is off: the secrets could not be read (%s)", exc)
        return {}
    return section if isinstance(section, Mapping) else {}


def provider() -> str | None:
    """The provider name for st.login, or None when single sign-on is not set up."""
    auth = _auth_section()
    if not auth or "redirect_uri" not in auth or "cookie_secret" not in auth:
        return None
    if importlib.util.find_spec("authlib") is None:
        log.error("single sign-on is off: [auth] is set but Authlib is not installed")
        return None
    if all(key in auth for key in PROVIDER_KEYS):
        return DEFAULT
    named = [name for name, value in auth.items()
             if isinstance(value, Mapping) and all(key in value for key in PROVIDER_KEYS)]
    if len(named) == 1 and "_" not in named[0]:
        return named[0]
    log.error("single sign-on is off: [auth] needs exactly one provider (client_id, client_secret, "
              "server_metadata_url), directly or in one [auth.NAME] without underscores; found %s", named)
    return None


def start(name: str) -> None:
    """Send the browser to the provider; Streamlit's /oauth2callback brings it back to the
    home page with st.user set."""
    st.login(name)


def claims() -> Claims | None:
    """What the provider's ID token said, while Streamlit holds a sign-in for this browser."""
    if not st.user.is_logged_in:
        return None
    return claims_from(st.user.to_dict())


def end() -> None:
    """Drop Streamlit's identity cookie and end the sign-in at the provider (its end-session
    page, when it has one); the browser comes back to the home page."""
    if st.user.is_logged_in:
        st.logout()
