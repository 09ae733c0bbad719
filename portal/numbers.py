"""Numbers written the way announcements and people write them: never Python's 3.93e+05.

Python's `str()`, `:g` and `.3g` switch to exponent notation for large and small floats
(`f"{393000.0:.3g}"` is "3.93e+05"); a citizen reads that as a code, not a count. Values
imported from an announcement are kept as their text; these helpers are for numbers the portal
writes itself (spreadsheet cells holding a float, generated demo values, computed figures).
"""
from __future__ import annotations

import math
from decimal import Decimal

SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def plain(value: float, significant: int | None = None) -> str:
    """Positional decimal with no exponent and no trailing zeros: 393000, 0.00005, 0.35.
    `significant` rounds first (393456 with 3 -> 393000)."""
    if isinstance(value, int) and significant is None:
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    shortest = repr(value) if significant is None else f"{value:.{significant}g}"
    text = format(Decimal(shortest), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def times_ten(value: float, decimals: int = 1) -> str:
    """3.9×10⁵: the way announcements write microbial counts (菌落总数 2.9×10⁵CFU/g)."""
    if value == 0 or not math.isfinite(value):
        return plain(value)
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10 ** exponent, decimals)
    if abs(mantissa) >= 10:  # 9.96 rounds to 10.0
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.{decimals}f}×10{str(exponent).translate(SUPERSCRIPTS)}"
