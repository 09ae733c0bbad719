"""Start-up: settings -> database -> migrations -> jurisdiction -> demo data (first start)."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from portal.config import Settings, load_settings
from portal.db import Database, migration_lock, upgrade
from portal.registry.profiles import JurisdictionProfile, load_profile, sync_profile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Portal:
    settings: Settings
    db: Database
    profile: JurisdictionProfile


def bootstrap(settings: Settings | None = None, *, seed_demo: bool = True) -> Portal:
    """Safe to run in several processes at once: everything that writes happens under one
    lock (advisory lock on PostgreSQL, file lock on SQLite)."""
    from portal.complaints.retention import erase_expired
    from portal.test_rooms.actions import erase_expired as erase_room_phones

    settings = settings or load_settings()
    profile = load_profile(settings.jurisdiction)
    db = Database(settings.database_url)
    with migration_lock(db.engine, settings.var_dir):
        upgrade(db.engine)
        with db.write() as session:
            sync_profile(session, profile)
            erased = erase_expired(session, settings.complaint_retention_years)
            erased_bookings = erase_room_phones(session, settings.test_room_retention_days)
        if erased:
            log.info("personal data of %d finished complaints erased (retention)", erased)
        if erased_bookings:
            log.info("phones of %d past testing-room bookings erased (retention)", erased_bookings)
        if seed_demo and settings.demo:
            from portal.demo.generator import seed_on_first_start   # a second of imports: only when wanted

            if seed_on_first_start(db, profile, settings.demo_scale, settings.var_dir,
                                   settings.secret_key):
                log.info("demo data generated for %s (%s)", profile.name, settings.demo_scale)
    return Portal(settings, db, profile)
