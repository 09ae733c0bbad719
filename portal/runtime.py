"""The running portal of this process: its settings, database engine and jurisdiction
(portal.bootstrap.Portal), one per set of settings that pick the database.

Both front ends take it from here: the Streamlit pages (portal.ui.layout wraps it in
st.cache_resource for its spinner) and the JSON API (portal.api.serve), so they share one
engine and never import each other. Keyed by the settings that pick the database, so tests
on different databases (and a changed PORTAL_JURISDICTION) never share one engine."""
from __future__ import annotations

import threading

from portal.bootstrap import Portal, bootstrap
from portal.config import Settings, load_settings

_portals: dict[tuple, Portal] = {}
_lock = threading.Lock()


def portal_key(settings: Settings) -> tuple:
    return (settings.database_url, settings.jurisdiction, settings.demo, settings.demo_scale,
            str(settings.var_dir))


def get_portal(settings: Settings | None = None) -> Portal:
    """This process's Portal for the current settings, started (migrations, jurisdiction,
    demo data on first start) by the first caller; later callers wait for it and share it."""
    settings = settings or load_settings()
    key = portal_key(settings)
    with _lock:
        portal = _portals.get(key)
        if portal is None:
            portal = _portals[key] = bootstrap(settings)
    return portal
