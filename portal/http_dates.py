"""HTTP dates for conditional requests, shared by the API and the server-rendered routes."""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime


def unchanged_since(if_modified_since: str | None, last_modified: datetime | None) -> bool:
    """Whether an If-Modified-Since header covers a resource last changed at last_modified
    (naive times are UTC; HTTP dates have whole seconds). A missing or unreadable header
    never does."""
    if not if_modified_since or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    if last_modified.tzinfo is None:
        last_modified = last_modified.replace(tzinfo=timezone.utc)
    return last_modified.replace(microsecond=0) <= since
