"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 128
# A hash computed once so that an unknown username costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
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
    return None


def random_password(length: int = 16) -> str:
    """A password that meets the policy, for resets and demo accounts."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if password_problem(candidate) is None:
            return candidate
