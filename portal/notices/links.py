"""Signed links in every mail: confirm a follow, manage one's follows, unsubscribe, answer
the follow-up questionnaire of a closed complaint (signed with that questionnaire's own key).

A token is `<id>.<signature>`, the signature an HMAC (the portal's secret key) over the
purpose, the row's id and its contact's random link_key: it cannot be forged or moved to
another row, and it dies with the contact (erased at unsubscribe)."""
from __future__ import annotations

import hmac

from portal.personal import keyed_hash

CONFIRM, MANAGE, UNSUBSCRIBE, FOLLOW_UP = "confirm", "manage", "unsubscribe", "follow_up"
PATHS = {CONFIRM: "notices/confirm", MANAGE: "notices/manage", UNSUBSCRIBE: "notices/unsubscribe",
         FOLLOW_UP: "notices/follow-up"}


def token(secret_key: str, purpose: str, row_id: int, link_key: str) -> str:
    return f"{row_id}.{keyed_hash(secret_key, f'link:{purpose}', f'{row_id}:{link_key}')[:32]}"


def token_id(raw: str) -> int | None:
    """The id a token claims (checked against its signature by `valid`), or None."""
    head, _, sig = (raw or "").partition(".")
    if not head.isascii() or not head.isdigit() or len(head) > 12 or len(sig) != 32:
        return None
    return int(head)


def valid(secret_key: str, purpose: str, raw: str, link_key: str) -> bool:
    row_id = token_id(raw)
    return row_id is not None and hmac.compare_digest(token(secret_key, purpose, row_id, link_key), raw)


def url(public_url: str, secret_key: str, purpose: str, row_id: int, link_key: str) -> str:
    return f"{public_url or ''}/{PATHS[purpose]}?t={token(secret_key, purpose, row_id, link_key)}"
