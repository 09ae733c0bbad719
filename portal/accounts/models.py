from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.timeutil import utcnow


class Role(Base):
    __tablename__ = "roles"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200))


class Official(Base):
    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    # A work address for the handlers' morning digest (portal.notices.digests); set by an
    # admin (accounts.actions.set_email, audited). A work address, not a citizen's: kept plain.
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when an admin resets the password: the official must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column()
    # Second factor (portal.accounts.second_factor): the TOTP secret, encrypted with a key
    # derived from the portal's secret; the last time step used, so a code works only once.
    totp_secret: Mapped[str | None] = mapped_column(String(300))
    totp_enabled_at: Mapped[datetime | None] = mapped_column()
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    role_links: Mapped[list[OfficialRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OfficialRole.role")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(link.role for link in self.role_links)


class OfficialRole(Base):
    __tablename__ = "official_roles"

    official_id: Mapped[int] = mapped_column(
        ForeignKey("officials.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(ForeignKey("roles.name"), primary_key=True)


class AuditEntry(Base):
    """Append-only: one row per official action (sign-in, failure, every write)."""
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_action_object", "action", "object_type", "object_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("officials.id", ondelete="SET NULL"))
    # Kept as text too, so the trail reads the same after an account is renamed.
    actor_name: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str | None] = mapped_column(String(50))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


class OfficialSession(Base):
    """One signed-in device of an official (portal.accounts.sessions). The browser holds a
    signed cookie with a random token; only the token's keyed hash is stored, so a leaked
    table cannot be turned back into cookies."""
    __tablename__ = "official_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    # Null until the browser has taken its cookie (through the one-time hand-over code).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    handoff_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    handoff_expires_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_reason: Mapped[str | None] = mapped_column(String(20))
    # Set when the session began with single sign-on (accounts.identities) rather than the
    # password: sign-out then also ends the identity provider's sign-in, and unlinking the
    # identity ends the session.
    identity_id: Mapped[int | None] = mapped_column(
        ForeignKey("official_identities.id", ondelete="SET NULL"), index=True)


class RecoveryCode(Base):
    """A one-time code for an official who has lost the authenticator (keyed hash only)."""
    __tablename__ = "official_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column()


class SignInDelay(Base):
    """Failed sign-ins per (username, client address) and per address, with the moment the
    next try is accepted (accounts.throttle). Seconds since 1970 (UTC), so the growing delay
    is computed by the database in the same guarded upsert that counts the failure."""
    __tablename__ = "sign_in_delays"

    scope: Mapped[str] = mapped_column(String(10), primary_key=True)   # pair / address
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # For `users unlock NAME`: the account a pair row is about, and its address's hash.
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    address_hash: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[int] = mapped_column(BigInteger, default=0)
    next_try_at: Mapped[int] = mapped_column(BigInteger, default=0)


class OfficialIdentity(Base):
    """An identity at an OpenID Connect provider (the issuer's `iss` and the person's `sub`)
    that an admin has linked to an official's account (accounts.identities). Single sign-on
    signs in as that account, with its roles; an identity no admin linked is refused."""
    __tablename__ = "official_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_official_identities_issuer_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked_by: Mapped[str] = mapped_column(String(64))
    last_sign_in_at: Mapped[datetime | None] = mapped_column()
    # The provider's `iat` (seconds since 1970) of the last ID token that started a session:
    # a token is taken once, and never one older than the last.
    last_token_issued_at: Mapped[int | None] = mapped_column(BigInteger)
