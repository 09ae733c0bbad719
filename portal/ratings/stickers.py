"""The sticker code on a printed 公示牌: which grade the sign shows and the day it was printed,
signed with the portal's secret key, so the door page can tell a citizen who scans an old sign
that the grade has changed since, and flag a code nobody here signed (a forged sign).

The code is short (it goes in the QR code's URL): one letter for the grade, the print day as
days since 2000-01-01 in base 36, a dot and 12 hex digits of an HMAC over the business's id and
both (48 bits: guessing one takes about 10^14 tries, and the door's window allows a few a second).
The business's id is in the signed text, never in the code: a code copied onto another
business's sign is forged there.
"""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date, timedelta

from portal.personal import keyed_hash

EPOCH = date(2000, 1, 1)
# The dynamic grade a sign shows; N: no grade (暂不评级, or outside the scheme).
GRADE_CODES = {"优秀": "A", "良好": "B", "一般": "C", None: "N"}
GRADES = {code: grade for grade, code in GRADE_CODES.items()}
MAC_DIGITS = 12
_FORM = re.compile(r"([ABCN])([0-9a-z]{1,5})\.([0-9a-f]{%d})" % MAC_DIGITS)
PURPOSE = "sticker"


@dataclass(frozen=True)
class Sticker:
    grade: str | None     # 优秀 / 良好 / 一般, None: the sign showed no grade
    printed_on: date


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _mac(secret_key: str, business_id: int, payload: str) -> str:
    return keyed_hash(secret_key, PURPOSE, f"{business_id}:{payload}")[:MAC_DIGITS]


def sign(secret_key: str, business_id: int, grade: str | None, printed_on: date) -> str:
    payload = GRADE_CODES[grade] + _base36((printed_on - EPOCH).days)
    return f"{payload}.{_mac(secret_key, business_id, payload)}"


def read(secret_key: str, business_id: int, code: str) -> Sticker | None:
    """The sticker a code records, or None when it is malformed or not signed here for this
    business (forged, mistyped, or from another business's sign)."""
    found = _FORM.fullmatch(code or "")
    if not found:
        return None
    payload = found.group(1) + found.group(2)
    if not hmac.compare_digest(found.group(3), _mac(secret_key, business_id, payload)):
        return None
    try:
        printed_on = EPOCH + timedelta(days=int(found.group(2), 36))
    except OverflowError:
        return None
    return Sticker(GRADES[found.group(1)], printed_on)
