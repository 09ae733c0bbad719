"""Limits and retries of notices (in code: they guard the mail server, not a legal rule)."""
from __future__ import annotations

# Follow requests: an address gets at most this many confirmation mails a day, and one
# client (browser session's address) may ask for at most this many a day: nobody can make
# the portal mail a stranger again and again.
REQUESTS_PER_ADDRESS_PER_DAY = 3
REQUESTS_PER_CLIENT_PER_DAY = 10
FOLLOWS_PER_CONTACT = 50
# Sending: attempts before a message is given up, and the wait before each retry.
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (60, 300, 1800, 7200, 21600)
# A worker's claim on the messages it is sending; a worker that died releases them then.
LEASE_SECONDS = 300
# Retention: a contact's address is erased after this many permanent refusals (5xx for the
# recipient) in a row; a message accepted in between starts the count again. The about page
# and README state it.
MAX_BOUNCES = 3
# Retention: a follow not confirmed within this many days is deleted, and the address with
# it when nothing else is followed (nobody confirmed wanting mail there).
UNCONFIRMED_DAYS = 7
# The handlers' morning digest lists open cases due within this many working days, and
# those overdue.
HANDLER_DUE_WITHIN = 2


def backoff(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt."""
    return BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1]
