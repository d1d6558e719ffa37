"""Make erased rows unrecoverable from the database files, not just invisible to queries.

SQLite leaves deleted cells in their pages, freed pages on the free list and
old page versions in the WAL until a checkpoint overwrites them
(sqlite.org/fileformat2.html §1.6, sqlite.org/wal.html). `secure_delete`
zeroes deleted content as it goes (sqlite.org/pragma.html#pragma_secure_delete),
VACUUM rebuilds the file without free pages, and a TRUNCATE checkpoint writes
the WAL back and empties it. PostgreSQL keeps dead tuples until a vacuum;
VACUUM FULL rewrites the tables (postgresql.org/docs/current/sql-vacuum.html).
The search index (SQLite FTS5) records a deletion as a new entry beside the old one
until its segments are merged: 'optimize' merges them all, so the erased words go
(sqlite.org/fts5.html#the_optimize_command).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import peewee as pw

log = logging.getLogger("aspa.privacy.wipe")

CHECKPOINT_ATTEMPTS = 3  # a reader in another process may hold an old snapshot briefly


def secure_delete_on(db: pw.Database) -> None:
    """Zero deleted content from now on, on this connection (SQLite only)."""
    if isinstance(db, pw.SqliteDatabase):
        db.execute_sql("PRAGMA secure_delete = ON")


def compact(db: pw.Database, tables: Iterable[str]) -> bool:
    """Rewrite the store so erased bytes are gone from its files; True when fully done."""
    if isinstance(db, pw.SqliteDatabase):
        return _compact_sqlite(db)
    if isinstance(db, pw.PostgresqlDatabase):
        return _compact_postgres(db, tables)
    return False


def _compact_sqlite(db: pw.SqliteDatabase) -> bool:
    if "search_index" in db.get_tables():
        db.execute_sql("INSERT INTO search_index (search_index) VALUES ('optimize')")
    db.execute_sql("VACUUM")
    for _ in range(CHECKPOINT_ATTEMPTS):
        busy, _log_frames, _done = db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return True
    log.warning("the WAL could not be emptied: another process is reading; it is emptied at "
                "the next checkpoint")
    return False


def _compact_postgres(db: pw.PostgresqlDatabase, tables: Iterable[str]) -> bool:
    try:
        for table in sorted(set(tables)):
            db.execute_sql(f'VACUUM FULL "{table}"')
    except pw.DatabaseError as error:
        log.warning("VACUUM FULL failed (%s): erased rows stay in dead tuples until the next "
                    "vacuum", error)
        return False
    return True
