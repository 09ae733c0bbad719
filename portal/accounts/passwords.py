"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 128
# zxcvbn's guessability score, 0-4: 3 means about 10^8 guesses or more ("safely
# unguessable" for an online attack, which the sign-in delays slow down further).
MIN_SCORE = 3
# Words a guesser would try first on this site, besides the username.
SITE_WORDS = ("zhangjiajie", "shipin", "anquan", "shichang", "jianguan", "scjg", "12315",
              "portal", "admin", "food", "safety")
# zxcvbn's pattern names -> why such a password is easy to guess (the weakest part first).
WEAK_PATTERNS = {
    "repeat": "密码中有重复的字符或片段（如 aaa、abcabc）",
    "sequence": "密码中有连续的字母或数字（如 1234、abcd）",
    "spatial": "密码中有键盘上相邻的按键（如 qwerty、asdf）",
    "date": "密码中有日期或年份",
    "dictionary": "这是常用密码、常见单词或姓名，或与它们相似（把 a 换成 @、o 换成 0 也一样）",
}
# A hash computed on the first sign-in with an unknown username, so that one costs as much
# time as a wrong password (not at import: every process that imports accounts would pay it).
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, username: str = "") -> str | None:
    """None when acceptable, else what to fix (in Chinese)."""
    if len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 个字符"
    if len(password) > MAX_LENGTH:
        return f"密码最多 {MAX_LENGTH} 个字符"
    if "\x00" in password or password.strip() != password:
        return "密码不能以空格开头或结尾，也不能含有控制字符"
    kinds = sum([any(c.isdigit() for c in password), any(c.isalpha() for c in password),
                 any(not c.isalnum() for c in password)])
    if kinds < 2:
        return "密码需要同时包含字母和数字（或符号）"
    if username and username.lower() in password.lower():
        return "密码不能包含用户名"
    return _guessable(password, username)


def _guessable(password: str, username: str) -> str | None:
    """zxcvbn's estimate: None when strong enough, else the main reason in Chinese."""
    result = zxcvbn(password, user_inputs=[w for w in (username, *SITE_WORDS) if w])
    if result["score"] >= MIN_SCORE:
        return None
    found = [m["pattern"] for m in sorted(result["sequence"], key=lambda m: -len(m["token"]))
             if m["pattern"] in WEAK_PATTERNS]
    reason = WEAK_PATTERNS[found[0]] if found else "密码太有规律"
    return (f"密码太容易被猜到：{reason}。请换一个更长、没有规律的密码，"
            "例如用几个不相关的词加上数字或符号")


def random_password(length: int = 16) -> str:
    """A password that meets the policy, for resets and demo accounts."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if password_problem(candidate) is None:
            return candidate
