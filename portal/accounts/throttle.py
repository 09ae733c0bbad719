"""Growing sign-in delays instead of lock-outs.

Failed sign-ins are counted in two places, each a row of sign_in_delays:
- per (username, client address): after `free_failures` failures every further one makes the
  next try from that address wait 30 s, then 1, 2, 4 ... minutes, at most `longest_delay`.
  The same account stays usable from every other address, so a stranger elsewhere cannot
  shut its owner out, and a guesser gets a few tries an hour per address.
- per client address, across usernames (a spray of one password over many accounts): the
  same schedule after ADDRESS_FACTOR x `free_failures` failures.
- The bureau's own networks (PORTAL_TRUSTED_NETWORKS) are treated gently: every official
  there may share one address (NAT), so an address-wide delay would let one person in the
  building stop everyone's sign-in; it is therefore not applied to them, and the per-account
  delay there stops at TRUSTED_LONGEST_DELAY, so a colleague typing wrong passwords on purpose
  holds one account for at most a minute after their last try. Every failure is audited with
  its address, and an admin can clear the delays (`python -m portal users unlock NAME`).
Failures are forgotten after FORGET_AFTER without one; a right password clears its pair.

The failure is counted BEFORE the password is checked, by one guarded upsert that reads,
checks and writes in the database (and keeps the row locked until the transaction ends), so
parallel tries can never pass the limits; a delayed try is refused without checking the
password. The caller rolls a savepoint back when the password was right.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.orm import Session

from portal.accounts.models import SignInDelay

EPOCH = datetime(1970, 1, 1)
FIRST_DELAY = 30                            # seconds, doubling with each further failure
TRUSTED_LONGEST_DELAY = 60                  # seconds
ADDRESS_FACTOR = 4
FORGET_AFTER = int(timedelta(days=1).total_seconds())


def seconds(moment: datetime) -> int:
    return int((moment - EPOCH).total_seconds())


def delay_after(failures: int, free: int, longest: int) -> int:
    """Seconds to wait after the `failures`-th failure in a row."""
    if failures < free:
        return 0
    return min(longest, FIRST_DELAY * 2 ** min(failures - free, 30))


@dataclass(frozen=True)
class SignInThrottle:
    free_failures: int = 5
    longest_delay_minutes: int = 15
    trusted_networks: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings) -> SignInThrottle:
        return cls(settings.lockout_failures, settings.lockout_minutes, settings.trusted_networks)

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        ip = getattr(ip, "ipv4_mapped", None) or ip
        return any(ip in ipaddress.ip_network(net) for net in self.trusted_networks)

    def rules(self, address: str) -> list[tuple[str, int, int]]:
        """(scope, free failures, longest delay in seconds) that apply to this address."""
        longest = self.longest_delay_minutes * 60
        if self.trusted(address):
            return [("pair", self.free_failures, min(longest, TRUSTED_LONGEST_DELAY))]
        return [("address", self.free_failures * ADDRESS_FACTOR, longest),
                ("pair", self.free_failures, longest)]


@dataclass(frozen=True)
class Taken:
    """The outcome of counting a try: `wait_until` is set when it was refused (then nothing
    was counted), else when the next try must wait after this one fails."""
    refused: bool
    scope: str = ""
    wait_until: datetime | None = None


def _hash(secret: str, *parts: str) -> str:
    return hmac.new(secret.encode(), "\x1f".join(("sign-in",) + parts).encode(),
                    hashlib.sha256).hexdigest()


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _count(session: Session, key: str, username: str | None, address_hash: str, now: int,
           free: int, longest: int) -> int | None:
    """Count one failure unless the row says wait: the new next_try_at, or None (refused)."""
    table = SignInDelay.__table__
    c = table.c
    failures = case((c.last_failure_at < now - FORGET_AFTER, 1), else_=c.failures + 1)
    steps = [(failures < free, 0)]
    n = free
    while delay_after(n, free, longest) < longest:
        steps.append((failures == n, delay_after(n, free, longest)))
        n += 1
    statement = _insert(session)(table).values(
        scope="pair" if username is not None else "address", key_hash=key, username=username,
        address_hash=address_hash, failures=1, last_failure_at=now,
        next_try_at=now + delay_after(1, free, longest))
    statement = statement.on_conflict_do_update(
        index_elements=[c.scope, c.key_hash],
        set_={"failures": failures, "last_failure_at": now,
              "next_try_at": now + case(*steps, else_=longest)},
        where=c.next_try_at <= now)
    row = session.execute(statement.returning(c.next_try_at)).first()
    return None if row is None else row[0]


def take(session: Session, secret: str, throttle: SignInThrottle, username: str, address: str,
         now: datetime) -> Taken:
    """Count this try as a failure (always the address row first, then the pair, so parallel
    tries cannot deadlock). Run inside a savepoint: roll it back when refused or right."""
    address_hash = _hash(secret, "address", address)
    latest = None
    for scope, free, longest in throttle.rules(address):
        key = address_hash if scope == "address" else _hash(secret, "pair", username, address)
        next_try = _count(session, key, username if scope == "pair" else None, address_hash,
                          seconds(now), free, longest)
        if next_try is None:
            waits = session.scalar(select(SignInDelay.next_try_at).where(
                SignInDelay.scope == scope, SignInDelay.key_hash == key))
            return Taken(True, scope, EPOCH + timedelta(seconds=waits or seconds(now)))
        latest = max(latest or 0, next_try)
    wait = EPOCH + timedelta(seconds=latest) if latest and latest > seconds(now) else None
    return Taken(False, "", wait)


def clear_pair(session: Session, secret: str, username: str, address: str) -> None:
    """A right password from this address: its own failures are forgotten."""
    session.execute(delete(SignInDelay).where(
        SignInDelay.scope == "pair", SignInDelay.key_hash == _hash(secret, "pair", username, address)))


def unlock(session: Session, username: str) -> int:
    """Clear every delay on this account, and on the addresses it was tried from."""
    addresses = set(session.scalars(select(SignInDelay.address_hash).where(
        SignInDelay.username == username)))
    cleared = session.execute(delete(SignInDelay).where(SignInDelay.username == username)).rowcount
    if addresses:
        cleared += session.execute(delete(SignInDelay).where(
            SignInDelay.scope == "address", SignInDelay.key_hash.in_(addresses))).rowcount
    return cleared


def delayed_usernames(session: Session, now: datetime) -> list[str]:
    """Accounts that some address must wait for now (shown on the accounts page)."""
    return list(session.scalars(select(SignInDelay.username).distinct().where(
        SignInDelay.username.is_not(None), SignInDelay.next_try_at > seconds(now))
        .order_by(SignInDelay.username)))
