"""Opening the store: SQLite durability settings, and bad databases refused untouched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path

import peewee as pw
import pytest

from appliance.store.database import open_database
from appliance.store.database_url import redact_url, sqlite_path
from appliance.store.errors import (
    CorruptDatabase,
    DatabaseUnavailable,
    SchemaTooNew,
    StoreError,
    UnknownSchema,
)
from appliance.store.migrations import LATEST_VERSION, ensure_current
from appliance.store.startup import open_store, upgrade_database
from tests.peers.free_port import free_port
from tests.peers.postgres import PostgresDatabase


def fingerprint(path: Path) -> tuple[str, int, list[str]]:
    """The file's content hash, its mtime and what lies beside it."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, path.stat().st_mtime_ns, sorted(os.listdir(path.parent))


def make_current_sqlite(path: Path) -> None:
    db = open_store(str(path))
    db.close()


def set_version_raw(path: Path, version: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    conn.commit()
    conn.close()


def test_sqlite_runs_wal_with_full_sync_in_every_thread(tmp_path: Path) -> None:
    db = open_store(tmp_path / "aspa.db")
    seen: list[tuple[object, ...]] = []

    def read_pragmas() -> None:
        seen.append(tuple(
            db.execute_sql(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        ))
        db.close()

    read_pragmas()
    other = threading.Thread(target=read_pragmas)  # a second connection, as the store thread has
    other.start()
    other.join()
    # synchronous 2 = FULL (sqlite.org/pragma.html#pragma_synchronous)
    assert seen == [("wal", 2, 1, 10000)] * 2
    cache = db.execute_sql("PRAGMA cache_size").fetchone()[0]
    assert -16 * 1024 <= cache < 0  # a modest cache, in KiB
    db.close()


def test_sqlite_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = open_store(tmp_path / "aspa.db")
    with pytest.raises(pw.IntegrityError):
        db.execute_sql("INSERT INTO contact_point (customer_id, kind, value, failing) "
                       "VALUES (999, 'phone', '+358401', 0)")
    db.close()


def test_newer_sqlite_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "aspa.db"
    make_current_sqlite(path)
    set_version_raw(path, str(LATEST_VERSION + 4))
    before = fingerprint(path)
    with pytest.raises(SchemaTooNew) as caught:
        open_database(path)
    assert fingerprint(path) == before
    message = str(caught.value)
    assert f"schema {LATEST_VERSION + 4}, this one knows {LATEST_VERSION}" in message
    assert "upgrade Aspa or restore a backup" in message
    with pytest.raises(SchemaTooNew):
        upgrade_database(str(path))
    assert fingerprint(path) == before


def test_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "aspa.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    before = fingerprint(path)
    with pytest.raises(CorruptDatabase, match="not an SQLite database"):
        open_store(path)
    assert fingerprint(path) == before


def test_damaged_database_fails_its_check_and_is_left_for_recovery(tmp_path: Path) -> None:
    path = tmp_path / "aspa.db"
    db = open_store(path)
    db.execute_sql("PRAGMA journal_mode = delete")  # fold the WAL in, so the damage is in the file
    db.execute_sql("CREATE TABLE filler (x BLOB)")
    for _ in range(50):
        db.execute_sql("INSERT INTO filler VALUES (randomblob(2000))")
    db.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 20 : page * 20 + 600] = os.urandom(600)  # a page inside the filler table
    path.write_bytes(bytes(data))
    before = fingerprint(path)
    with pytest.raises(CorruptDatabase, match="restore a backup"):
        open_store(path)
    assert fingerprint(path) == before


def test_foreign_sqlite_database_is_unknown_schema(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = fingerprint(path)
    with pytest.raises(UnknownSchema, match="not an Aspa database"):
        open_store(path)
    assert fingerprint(path) == before


def test_garbled_schema_version_is_unknown_schema(tmp_path: Path) -> None:
    path = tmp_path / "aspa.db"
    make_current_sqlite(path)
    set_version_raw(path, "two")
    with pytest.raises(UnknownSchema):
        open_store(path)


def test_missing_folder_or_file_is_unavailable_with_advice(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="does not exist"):
        open_database(tmp_path / "no" / "such" / "aspa.db")
    with pytest.raises(DatabaseUnavailable, match="aspa db upgrade"):
        open_database(tmp_path / "aspa.db", create=False)
    assert not (tmp_path / "aspa.db").exists()


def test_unreachable_postgres_is_unavailable_without_password_in_message() -> None:
    url = f"postgresql://aspa:s3cret@127.0.0.1:{free_port()}/aspa"
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database(url)
    assert "s3cret" not in str(caught.value)
    assert "aspa:***@127.0.0.1" in str(caught.value)
    assert isinstance(caught.value, StoreError) and isinstance(caught.value, ConnectionError)


@pytest.mark.postgres
def test_newer_postgres_schema_is_refused_and_nothing_written(
    postgres_db: PostgresDatabase,
) -> None:
    db = open_store(postgres_db.url)
    db.execute_sql("UPDATE meta SET value = %s WHERE key = 'schema_version'",
                   (str(LATEST_VERSION + 1),))
    db.close()
    with pytest.raises(SchemaTooNew):
        open_store(postgres_db.url)
    conn = postgres_db.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT key, value FROM meta")
        assert cur.fetchall() == [("schema_version", str(LATEST_VERSION + 1))]
    conn.close()


@pytest.mark.postgres
def test_foreign_postgres_database_is_unknown_schema(postgres_db: PostgresDatabase) -> None:
    conn = postgres_db.connect()
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE invoices (id serial primary key)")
    conn.commit()
    conn.close()
    with pytest.raises(UnknownSchema):
        open_store(postgres_db.url)


def test_ensure_current_reports_the_versions(tmp_path: Path) -> None:
    db = open_database(tmp_path / "aspa.db")
    assert ensure_current(db) == (0, LATEST_VERSION)
    assert ensure_current(db) == (LATEST_VERSION, LATEST_VERSION)
    db.close()


def test_urls_and_paths() -> None:
    assert sqlite_path("sqlite:////var/lib/aspa/aspa.db") == Path("/var/lib/aspa/aspa.db")
    assert sqlite_path("sqlite:///data/aspa.db") == Path("data/aspa.db")
    assert sqlite_path("/data/aspa.db") == Path("/data/aspa.db")
    assert redact_url("postgresql://u:pw@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert redact_url("postgresql://u@h/d") == "postgresql://u@h/d"
