"""The box's own random key for signing cookies, kept in the data directory, owner-only."""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger("aspa.web")

SECRET_FILE = "web-secret.key"
SECRET_BYTES = 32  # HMAC-SHA256 key as long as the hash (RFC 2104 §3)
OWNER_ONLY = 0o600


class SecretKeyError(Exception):
    """The key file exists but cannot be used."""


def load_or_create_secret(data_dir: Path) -> bytes:
    """Read the key, or make it once with mode 0600; tighten a key file others can read."""
    path = data_dir / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    except FileExistsError:
        if path.stat().st_size == 0:
            # a crash between creating and writing the key left it empty: make it again
            path.unlink()
            return load_or_create_secret(data_dir)
        return _read_existing(path)
    key = secrets.token_bytes(SECRET_BYTES)
    with os.fdopen(fd, "wb") as out:
        out.write(key.hex().encode())
        out.flush()
        os.fsync(out.fileno())
    return key


def _read_existing(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s was readable by others (mode %o); set it to 0600", path, mode)
        path.chmod(OWNER_ONLY)
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < SECRET_BYTES:
        raise SecretKeyError(
            f"{path} does not hold a {SECRET_BYTES}-byte hex key: delete it and restart "
            "(everyone will have to log in again)"
        )
    return key
