"""Where the Atom feeds and the door page are (portal/web/feeds.py and portal/web/door.py
serve them; the pages link to them), as paths relative to the site root: a page at /<page> links to them as they are, so the links
also work when the portal is served under a path prefix."""
from __future__ import annotations

from urllib.parse import urlencode

SAMPLING = "feeds/sampling.atom"
LISTS = "feeds/lists.atom"
ROUNDS = "feeds/rounds.atom"


def door(business_id: int) -> str:
    """The page the code on a business's 公示牌 opens."""
    return f"b/{business_id}"


def sign(business_id: int) -> str:
    """The business's printable 公示牌 (PDF)."""
    return f"b/{business_id}/sign.pdf"


def badge(business_id: int) -> str:
    """The badge a business may embed on its own site (SVG)."""
    return f"b/{business_id}/badge.svg"


def business(business_id: int) -> str:
    return f"feeds/business/{business_id}.atom"


def sampling(*, result: str = "", district: str = "", category: str = "", q: str = "") -> str:
    """The sampling feed with 抽检结果's filters (result as SamplingFilter codes it: pass / fail)."""
    params = {"result": result, "district": district, "category": category, "q": q}
    query = urlencode({key: value for key, value in params.items() if value})
    return f"{SAMPLING}?{query}" if query else SAMPLING
