"""The two ways into the store: the daemon's start and `aspa db upgrade`."""

from __future__ import annotations

from pathlib import Path

import peewee as pw

from appliance.store.database import open_database
from appliance.store.migrations.runner import ensure_current, upgrade


def open_store(url_or_path: str | Path) -> pw.Database:
    """Open the store for the daemon: refuse unknown or newer schemas, upgrade older ones."""
    db = open_database(url_or_path, create=True)
    try:
        ensure_current(db)
    except Exception:
        db.close()
        raise
    return db


def upgrade_database(url_or_path: str | Path) -> tuple[int, int]:
    """`aspa db upgrade`: migrate (or create) the database; returns (from, to) versions."""
    db = open_database(url_or_path, create=True)
    try:
        return upgrade(db)
    finally:
        db.close()
