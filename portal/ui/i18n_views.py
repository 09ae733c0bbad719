"""Language helpers that need the page context: district names, data vocabularies."""
from __future__ import annotations

from portal import i18n
from portal.i18n import t
from portal.ui import cached


def district_labels(ctx) -> dict[str, str]:
    """adcode → district name in the visitor's language (English with the Chinese beside)."""
    labels = dict(cached.district_names(ctx))
    for district in ctx.profile.districts:
        labels[district.adcode] = i18n.place(district.name, district.name_en)
    return labels


def term(value: str | None) -> str:
    """A value from a closed vocabulary (portal/i18n_terms.py) in the visitor's language."""
    return t(value) if value else ""
