"""The client behind this Streamlit session (portal.clients.Client): the one identity that
complaints, 你点我检 votes, surveys and phone verification limit by."""
from __future__ import annotations

import secrets

import streamlit as st

from portal.clients import Client, client_address


def current_client(ctx) -> Client:
    """This browser session and its address. The session ends on reload; the limits
    therefore rest mainly on the phone number (complaints) and the address (reports)."""
    session_id = st.session_state.setdefault("client_session", secrets.token_urlsafe(18))
    address = client_address(st.context.ip_address, st.context.headers, ctx.settings.trusted_proxy)
    return Client(session_id, address)
