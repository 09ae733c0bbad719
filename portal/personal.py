"""Personal data: phone numbers validated, masked, keyed-hashed and encrypted.

A plain or salted hash of an 11-digit number is reversed by trying all of them, so lookups
use an HMAC keyed with the portal's secret key (kept outside the database). The full number
and the name are encrypted (Fernet) with a key derived from the same secret, for the handler
who reveals them (an audited action). Changing PORTAL_SECRET_KEY makes them unreadable.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from cryptography.fernet import Fernet, InvalidToken

_MOBILE = re.compile(r"1[3-9]\d{9}")
# In free text: a resident ID number, and a mobile number perhaps split by spaces or dashes.
_ID_IN_TEXT = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[0-9Xx])(?!\d)")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
# Tracking numbers and codes avoid letters that look alike (0/O, 1/I/L).
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _derived(secret_key: str, purpose: str) -> bytes:
    return hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).digest()


def normalise_mobile(raw: object) -> str | None:
    """A mainland mobile number as 11 digits, or None when it is not one. Spaces, dashes and
    a +86 / 0086 prefix are allowed; full-width digits are converted."""
    text = str(raw or "").translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)})
    digits = re.sub(r"[\s\-()（）]", "", text)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix):]
    return digits if _MOBILE.fullmatch(digits) else None


def mask_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}"


def mask_personal(text: str) -> str:
    """Free text a citizen wrote, as it may be stored: mobile numbers as 138****1234 and
    resident ID numbers with only their first 6 and last 4 characters."""
    text = _ID_IN_TEXT.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def keyed_hash(secret_key: str, purpose: str, value: str) -> str:
    return hmac.new(_derived(secret_key, f"hash:{purpose}"), value.encode(), hashlib.sha256).hexdigest()


def _fernet(secret_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived(secret_key, "encrypt:personal-data")))


def encrypt(secret_key: str, value: str | None) -> str | None:
    if not value:
        return None
    return _fernet(secret_key).encrypt(value.encode()).decode()


def decrypt(secret_key: str, token: str | None) -> str | None:
    if not token:
        return None
    try:
        return _fernet(secret_key).decrypt(token.encode()).decode()
    except InvalidToken:
        return "（无法解密：密钥已更换）"


def random_code(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def normalise_code(raw: object) -> str:
    """What a citizen typed as a tracking number or code: case, spaces and dashes forgiven;
    anything but ASCII letters and digits dropped (never part of one, and PostgreSQL refuses
    NUL)."""
    return re.sub(r"[^0-9A-Za-z]", "", str(raw or ""))[:40].upper()
