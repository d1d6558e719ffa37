"""Open the store: an SQLite file (WAL, synchronous=FULL) or PostgreSQL by URL.

The database is checked before anything is written to it: a corrupt file, a
foreign database or one made by a newer Aspa is refused with a typed error
and left as it was. Opening binds `models.database_proxy`; bringing the schema
up to date is `migrations.ensure_current`'s job.
"""

from __future__ import annotations

import logging
from pathlib import Path

import peewee as pw

from appliance.store import models
from appliance.store.database_url import is_postgres_url, redact_url, sqlite_path
from appliance.store.errors import DatabaseUnavailable, SchemaTooNew
from appliance.store.migrations.runner import read_schema_version
from appliance.store.migrations.steps import LATEST_VERSION
from appliance.store.sqlite_preflight import read_sqlite_schema_version

log = logging.getLogger("aspa.store")

BUSY_TIMEOUT_SECONDS = 10.0  # a writer waits this long for another's lock before failing
# Page cache per connection; the box may have 512 MB in all. 2 MB, not 8: the figures
# (MQTT every few seconds, the web's stats) count over every ticket, and each connection
# that ran them kept 8 MB of pages resident (+7 MB RSS at 100,000 tickets, bench/memory.py);
# the operating system's file cache holds the pages as well, and the intake ran as fast on
# 2 MB as on 8 (mail/mailbox_worker.py).
CACHE_KIB = 2 * 1024
# Prepared statements each connection keeps (Python's sqlite3 default: 128). A statement
# over the 25-column ticket model holds ~22 KB, and peewee writes a new one for every
# length of an IN list: 128 of them were ~2.8 MB a connection, which no cache release
# frees. The hot ones (the intake's prepared inserts, a lookup by id) stay in 32.
CACHED_STATEMENTS = 32
WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024  # truncate the WAL back to this after checkpoints
PG_CONNECT_TIMEOUT_SECONDS = 5


def open_database(url_or_path: str | Path, *, create: bool = True) -> pw.Database:
    """Open, check and bind the store's database; nothing is written to a rejected one."""
    target = str(url_or_path)
    if not target:
        raise DatabaseUnavailable("database.url is empty: set it in aspa.toml")
    db = _open_postgres(target) if is_postgres_url(target) else _open_sqlite(target, create)
    models.database_proxy.initialize(db)
    return db


def _open_sqlite(target: str, create: bool) -> pw.SqliteDatabase:
    path = sqlite_path(target)
    if not path.parent.is_dir():
        raise DatabaseUnavailable(
            f"database folder {path.parent} does not exist: create it or fix database.url"
        )
    if not create and not path.exists():
        raise DatabaseUnavailable(f"database {path} does not exist: run `aspa db upgrade`")
    read_sqlite_schema_version(path, LATEST_VERSION)
    db = pw.SqliteDatabase(
        str(path),
        timeout=BUSY_TIMEOUT_SECONDS,
        # BEGIN IMMEDIATE takes the write lock at the start of a transaction, so
        # two writers queue on the busy timeout instead of one failing with
        # SQLITE_BUSY_SNAPSHOT on its first write (sqlite.org/lang_transaction.html).
        lock_type="IMMEDIATE",
        cached_statements=CACHED_STATEMENTS,
        pragmas=[
            ("journal_mode", "wal"),
            # FULL syncs the WAL at every commit: tickets and calls survive a power
            # cut; NORMAL may lose the last commits (sqlite.org/pragma.html#pragma_synchronous).
            ("synchronous", "full"),
            ("foreign_keys", 1),
            ("busy_timeout", int(BUSY_TIMEOUT_SECONDS * 1000)),
            ("cache_size", -CACHE_KIB),
            ("journal_size_limit", WAL_SIZE_LIMIT_BYTES),
        ],
    )
    try:
        db.connect()
    except pw.OperationalError as error:
        raise DatabaseUnavailable(f"cannot open database {path}: {error}") from error
    return db


def _open_postgres(url: str) -> pw.PostgresqlDatabase:
    db = pw.PostgresqlDatabase(url, connect_timeout=PG_CONNECT_TIMEOUT_SECONDS)
    try:
        db.connect()
    except (pw.OperationalError, pw.InterfaceError) as error:
        raise DatabaseUnavailable(
            f"cannot reach PostgreSQL at {redact_url(url)}: {str(error).strip()}: "
            f"check that the server runs and database.url is right"
        ) from error
    try:
        version = read_schema_version(db)
        _refuse_newer(redact_url(url), version)
    except Exception:
        db.close()
        raise
    return db


def _refuse_newer(where: str, version: int | None) -> None:
    if version is not None and version > LATEST_VERSION:
        raise SchemaTooNew(where, version, LATEST_VERSION)
