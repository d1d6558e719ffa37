"""Database URLs: which backend, which file, and how to show one without its password."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import peewee as pw

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"


def is_postgres_url(url_or_path: str) -> bool:
    """True for a postgresql:// (or postgres://) URL."""
    return url_or_path.startswith(POSTGRES_SCHEMES)


def sqlite_path(url_or_path: str) -> Path:
    """The file of an SQLite URL (sqlite:///relative, sqlite:////absolute) or plain path."""
    if url_or_path.startswith(SQLITE_SCHEME):
        return Path(url_or_path[len(SQLITE_SCHEME):])
    return Path(url_or_path)


def redact_url(url: str) -> str:
    """A URL with its password replaced, fit for logs and messages."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    if ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def describe_database(db: pw.Database) -> str:
    """Where a database is, for messages, without a password."""
    return redact_url(str(db.database))
