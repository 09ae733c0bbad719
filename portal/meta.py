"""Small key/value facts about the installation (e.g. when demo data was seeded)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base
from portal.timeutil import utcnow


class PortalMeta(Base):
    __tablename__ = "portal_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def get_meta(session: Session, key: str) -> str | None:
    return session.scalar(select(PortalMeta.value).where(PortalMeta.key == key))


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(PortalMeta, key)
    if row is None:
        session.add(PortalMeta(key=key, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()
