"""Look at an existing SQLite file read-only before Aspa writes anything to it.

Setting WAL mode or creating tables writes to the file, so a file that is
corrupt, foreign or made by a newer Aspa must be recognised first, through a
read-only connection, and left exactly as it was.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from appliance.store.errors import (
    CorruptDatabase,
    DatabaseUnavailable,
    SchemaTooNew,
    UnknownSchema,
)

SQLITE_HEADER = b"SQLite format 3\x00"  # https://www.sqlite.org/fileformat.html §1.3
SIDECAR_SUFFIXES = ("-wal", "-shm")
QUICK_CHECK_ROWS = 5  # enough of quick_check's report to tell the user what is wrong


def read_sqlite_schema_version(path: Path, known_version: int) -> int | None:
    """The schema version of an existing file; None for a missing or empty database.

    Raises CorruptDatabase, UnknownSchema or SchemaTooNew (above `known_version`)
    without writing to the file.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    _check_header(path)
    existed = {s: Path(f"{path}{s}").exists() for s in SIDECAR_SUFFIXES}
    ok = False
    try:
        version = _inspect(path)
        if version is not None and version > known_version:
            raise SchemaTooNew(str(path), version, known_version)
        ok = True
        return version
    finally:
        if not ok:
            _remove_sidecars_we_made(path, existed)


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DatabaseUnavailable(f"cannot read database {path}: {error.strerror}") from error
    if head != SQLITE_HEADER:
        raise CorruptDatabase(
            f"{path} is not an SQLite database: point database.url at the right file "
            f"or restore a backup"
        )


def _inspect(path: Path) -> int | None:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=10)
    except sqlite3.Error as error:
        raise DatabaseUnavailable(f"cannot open database {path}: {error}") from error
    try:
        cursor = conn.execute("PRAGMA quick_check")
        problems = [row[0] for row in cursor.fetchmany(QUICK_CHECK_ROWS)]
        if problems != ["ok"]:
            raise CorruptDatabase(_corrupt_message(path, "; ".join(problems)))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return _version_from(conn, tables, str(path))
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            raise DatabaseUnavailable(
                f"database {path} is locked by another program: {error}"
            ) from error
        raise CorruptDatabase(_corrupt_message(path, str(error))) from error
    finally:
        conn.close()


def _version_from(conn: sqlite3.Connection, tables: set[str], where: str) -> int | None:
    user_tables = {t for t in tables if not t.startswith("sqlite_")}
    if not user_tables:
        return None
    if "meta" not in user_tables:
        raise UnknownSchema(unknown_schema_message(where))
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return parse_version(row[0] if row else None, where)


def parse_version(value: str | None, where: str) -> int:
    """The schema version from its Meta value, or UnknownSchema."""
    if value is None or not value.strip().isdigit() or int(value) < 1:
        raise UnknownSchema(unknown_schema_message(where))
    return int(value)


def unknown_schema_message(where: str) -> str:
    return (
        f"database {where} holds tables but no Aspa schema version: it is not an Aspa "
        f"database, or it is damaged; point database.url at the right database or "
        f"restore a backup"
    )


def _corrupt_message(path: Path, detail: str) -> str:
    return (
        f"database {path} is corrupt ({detail}): restore a backup; the file was left "
        f"untouched for recovery (sqlite3 {path} .recover)"
    )


def _remove_sidecars_we_made(path: Path, existed: dict[str, bool]) -> None:
    # A read-only connection to a WAL file creates empty -wal/-shm files; a
    # rejected database is left as the user had it.
    for suffix, was_there in existed.items():
        if not was_there:
            with contextlib.suppress(OSError):
                Path(f"{path}{suffix}").unlink()
