"""Who is asking: a client's session and address, with one rule for the address shared by
pages and the API. Complaints, 你点我检 votes, surveys and phone verification all limit by it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Client:
    """Who is submitting, as far as the server can tell: the browser session (ends on
    reload) and the client address. Hashed before they reach the database."""
    session_id: str
    address: str


def client_address(peer: str | None, headers: Mapping[str, str], trusted_proxy: bool) -> str:
    """The peer's address, or behind a trusted proxy the address the proxy saw.

    X-Real-IP is set by our nginx to $remote_addr; failing that, the last X-Forwarded-For
    entry is the one our proxy appended (earlier entries come from the client and are free
    to forge)."""
    address = str(peer or "unknown")
    if trusted_proxy:
        real = (headers.get("X-Real-IP") or headers.get("x-real-ip") or "").strip()
        forwarded = headers.get("X-Forwarded-For") or headers.get("x-forwarded-for") or ""
        if real:
            address = real
        elif forwarded.strip():
            address = forwarded.split(",")[-1].strip()
    return address[:64]
