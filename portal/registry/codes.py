"""Identifiers of businesses: 统一社会信用代码 (GB 32100-2015) and licence numbers."""
from __future__ import annotations

import re

from stdnum.cn import uscc

# The 31 characters of GB 32100-2015 (no I, O, S, V, Z), in value order.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# The form is checked here, not by uscc.validate: that wants digits in positions 1-2, while
# GB 32100 lets the registration authority and type be letters too (N2…, Y1… are real codes).
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code, positions 9-17
LICENCE_RE = re.compile(r"^(JY|SC)\d{14}$")


def credit_check_char(first17: str) -> str:
    return uscc.calc_check_digit(first17)


def org_check_char(first8: str) -> str:
    """GB 11714 organisation code check character (python-stdnum has none for China)."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first8, ORG_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def normalise_code(raw: str | None) -> str:
    """Full-width characters and spaces are common in pasted codes; letters are upper case."""
    text = (raw or "").strip().upper()
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)
    return text.replace(" ", "").replace("\u3000", "")


def credit_code_problem(code: str) -> str | None:
    """None if `code` is a well-formed 统一社会信用代码, else what is wrong (Chinese)."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位（现在 {len(code)} 位）"
    if not _CREDIT_RE.match(code):
        return "统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z），第 3–8 位应为行政区划代码"
    if credit_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确，请核对是否抄错"
    return None


def licence_problem(code: str) -> str | None:
    if not LICENCE_RE.match(code):
        return "许可证编号应为 JY（经营）或 SC（生产）加 14 位数字"
    return None


def make_credit_code(kind: str, adcode: str, body8: str) -> str:
    """Compose a valid code: kind is the registration authority and type (e.g. 91 enterprise,
    92 individual business, 12 public institution, 52 private non-profit)."""
    org = body8 + org_check_char(body8)
    first17 = kind + adcode + org
    return first17 + credit_check_char(first17)
