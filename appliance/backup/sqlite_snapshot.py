"""A consistent copy of the live SQLite database while the daemon keeps writing.

sqlite3's online backup API (sqlite.org/backup.html) copies page by page.
Done in one step (pages=-1) it is a single read transaction: in WAL mode
the daemon's writers carry on meanwhile and the copy is the database as of
one commit, never a mix. The copy is checked and left as one self-contained
file (journal_mode=DELETE), so restoring it needs no -wal beside it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from appliance.backup.errors import BackupError
from appliance.store.sqlite_preflight import SIDECAR_SUFFIXES, parse_version

ALL_PAGES = -1


def snapshot_sqlite(source: Path, copy: Path) -> int:
    """Copy `source` to `copy` consistently; return its schema version."""
    if not source.exists():
        raise BackupError(f"database {source} does not exist: nothing to back up "
                          f"(run `aspa db upgrade` or check data_dir)")
    try:
        # Not mode=ro: a reader of a WAL database may need to create the -shm file.
        src = sqlite3.connect(source, timeout=30)
    except sqlite3.Error as error:
        raise BackupError(f"cannot open database {source}: {error}") from error
    try:
        with contextlib.closing(sqlite3.connect(copy)) as dst:
            src.backup(dst, pages=ALL_PAGES)
            dst.execute("PRAGMA journal_mode=DELETE")
            return check_copy(dst, copy)
    except sqlite3.Error as error:
        # SQLite says "database or disk is full" / "disk I/O error" for the copy's side too.
        raise BackupError(f"cannot copy database {source} to {copy.parent}: {error} "
                          f"(is the target full or read-only?)") from error
    finally:
        src.close()
        _leave_sidecars_to_the_owner(source)


def _leave_sidecars_to_the_owner(database: Path) -> None:
    """-wal/-shm files made by a backup run as root go to the database's owner (aspa)."""
    if os.geteuid() != 0 or not database.exists():
        return
    owner = database.stat()
    for suffix in SIDECAR_SUFFIXES:
        sidecar = Path(f"{database}{suffix}")
        with contextlib.suppress(FileNotFoundError):
            if sidecar.stat().st_uid != owner.st_uid:
                os.chown(sidecar, owner.st_uid, owner.st_gid)


def check_copy(db: sqlite3.Connection, where: Path) -> int:
    """The copy passes integrity_check; return its schema version."""
    result = [row[0] for row in db.execute("PRAGMA integrity_check").fetchmany(5)]
    if result != ["ok"]:
        raise BackupError(f"the database copy {where} failed integrity_check: {'; '.join(result)}")
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{where} has no Aspa schema version: {error}") from error
    return parse_version(row[0] if row else None, str(where))


def schema_version_of(path: Path) -> int:
    """The schema version of a database file (a restored copy), checked for integrity."""
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro",
                                                uri=True)) as db:
            return check_copy(db, path)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the database in the backup is damaged: {error}") from error
