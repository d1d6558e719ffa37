"""Bring a database to the current schema, one step per transaction."""

from __future__ import annotations

import logging

import peewee as pw

from appliance.store.database_url import describe_database
from appliance.store.errors import SchemaTooNew, UnknownSchema
from appliance.store.migrations.steps import LATEST_VERSION, STEPS
from appliance.store.sqlite_preflight import parse_version, unknown_schema_message

log = logging.getLogger("aspa.store.migrations")

SCHEMA_VERSION_KEY = "schema_version"
PG_UPGRADE_LOCK_KEY = 0x41535041  # "ASPA": one upgrader at a time per PostgreSQL database


def read_schema_version(db: pw.Database) -> int | None:
    """The schema version, None for an empty database; UnknownSchema for a foreign one."""
    tables = set(db.get_tables())
    if not tables:
        return None
    if "meta" not in tables:
        raise UnknownSchema(unknown_schema_message(describe_database(db)))
    row = db.execute_sql(
        f"SELECT value FROM meta WHERE key = {db.param}", (SCHEMA_VERSION_KEY,)
    ).fetchone()
    return parse_version(row[0] if row else None, describe_database(db))


def upgrade(db: pw.Database, *, target: int = LATEST_VERSION) -> tuple[int, int]:
    """Apply the missing steps up to `target`; returns (version before, version after)."""
    before = read_schema_version(db) or 0
    if before > LATEST_VERSION:
        raise SchemaTooNew(describe_database(db), before, LATEST_VERSION)
    version = before
    for step in STEPS:
        if version >= step.version or step.version > target:
            continue
        with db.atomic():
            _lock_out_other_upgraders(db)
            version = read_schema_version(db) or 0  # another process may have done it
            if version >= step.version:
                continue
            step.apply(db)
            _write_version(db, step.version)
            version = step.version
        log.info("database %s: schema step %d done (%s)", describe_database(db),
                 step.version, step.summary)
    return before, version


def ensure_current(db: pw.Database) -> tuple[int, int]:
    """For the daemon's start: refuse unknown or newer schemas, upgrade older ones."""
    before, after = upgrade(db)
    if before != after:
        log.info("database %s upgraded from schema %d to %d", describe_database(db), before, after)
    return before, after


def _lock_out_other_upgraders(db: pw.Database) -> None:
    # SQLite: the transaction already began IMMEDIATE, holding the write lock.
    if isinstance(db, pw.PostgresqlDatabase):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (PG_UPGRADE_LOCK_KEY,))


def _write_version(db: pw.Database, version: int) -> None:
    p = db.param
    cursor = db.execute_sql(
        f"UPDATE meta SET value = {p} WHERE key = {p}", (str(version), SCHEMA_VERSION_KEY)
    )
    if cursor.rowcount == 0:
        db.execute_sql(
            f"INSERT INTO meta (key, value) VALUES ({p}, {p})", (SCHEMA_VERSION_KEY, str(version))
        )
