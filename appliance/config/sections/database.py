"""The `[database]` section: where the store lives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.config.schema import setting
from appliance.config.secret_files import masked_repr
from appliance.config.shown_value import shown

SQLITE_FILE_NAME = "aspa.db"
_SCHEMES = ("sqlite:///", "postgresql://", "postgres://")


def database_url(value: Any) -> str | None:
    """Empty, an SQLite URL or a PostgreSQL URL; the message never repeats the URL."""
    if value == "" or value.startswith(_SCHEMES):
        return None
    # never echo the URL back: it may hold a password
    scheme = value.split(":", 1)[0] if ":" in value else "?"
    return (f"must be empty (SQLite under data_dir), sqlite:///FILE or "
            f"postgresql://USER@HOST/DB, not a {shown(scheme)} URL")


@dataclass(frozen=True)
class DatabaseSettings:
    """The database URL; empty means the SQLite file under the data directory."""

    url: str = setting(
        "",
        "Database URL: empty = SQLite file aspa.db under data_dir; or postgresql://USER@HOST/DB",
        check=database_url,
    )
    url_file: str = setting(
        "", "File holding the database URL instead of url (keeps a PostgreSQL password out of "
        "aspa.toml)",
    )

    __repr__ = masked_repr
