"""Password hashes with scrypt (RFC 7914), parameters kept in the hash string.

Format: ``scrypt$n$r$p$salt$hash`` with salt and hash in unpadded base64, so
the cost can be raised later and old hashes still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from appliance.store.errors import InvalidInput

SCHEME = "scrypt"
SALT_BYTES = 16
HASH_BYTES = 32
# n=2^14, r=8 uses 16 MiB per hash (128 * n * r bytes, RFC 7914 §2): affordable
# on a 512 MB box, about 0.1-0.5 s on a Raspberry Pi.
DEFAULT_N = 2**14
DEFAULT_R = 8
DEFAULT_P = 1
MAX_MEMORY_BYTES = 64 * 1024 * 1024  # refuse stored parameters that would exhaust the box
MIN_PASSWORD_CHARS = 8


@dataclass(frozen=True, slots=True)
class ScryptCost:
    """The scrypt work factors."""

    n: int = DEFAULT_N
    r: int = DEFAULT_R
    p: int = DEFAULT_P

    @property
    def memory_bytes(self) -> int:
        return 128 * self.n * self.r * self.p

    def is_sane(self) -> bool:
        """A power-of-two n above 1, positive r and p, within the memory limit."""
        power_of_two = self.n > 1 and self.n & (self.n - 1) == 0
        return power_of_two and self.r > 0 and self.p > 0 and self.memory_bytes <= MAX_MEMORY_BYTES


def hash_password(password: str, cost: ScryptCost | None = None) -> str:
    """A new hash of `password` with a random salt."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    cost = cost or ScryptCost()
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, cost)
    return "$".join((SCHEME, str(cost.n), str(cost.r), str(cost.p), _b64(salt), _b64(digest)))


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` matches the stored hash; False for any malformed hash."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    cost, salt, expected = parsed
    return hmac.compare_digest(_scrypt(password, salt, cost, len(expected)), expected)


def needs_rehash(stored: str, cost: ScryptCost | None = None) -> bool:
    """True when the stored hash uses other parameters than `cost` (the default)."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != (cost or ScryptCost())


def _parse(stored: str | None) -> tuple[ScryptCost, bytes, bytes] | None:
    parts = (stored or "").split("$")
    if len(parts) != 6 or parts[0] != SCHEME or not all(p.isdigit() for p in parts[1:4]):
        return None
    cost = ScryptCost(int(parts[1]), int(parts[2]), int(parts[3]))
    if not cost.is_sane():
        return None
    try:
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return None
    return (cost, salt, digest) if salt and digest else None


def _scrypt(password: str, salt: bytes, cost: ScryptCost, length: int = HASH_BYTES) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=cost.n, r=cost.r, p=cost.p,
        maxmem=cost.memory_bytes + 1024 * 1024, dklen=length,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
