"""After a burst the store's connection hands back the page cache it filled."""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path

import peewee as pw
import pytest

from appliance.store.database import CACHE_KIB, CACHED_STATEMENTS
from appliance.store.models import Ticket
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker, release_connection_memory

ROWS = 4_000  # ~4 MB of rows: more than the 2 MB page cache holds


def _sqlite_bytes_in_use() -> int:
    """What SQLite has allocated in this process (sqlite3_memory_used), all connections."""
    name = ctypes.util.find_library("sqlite3")
    if name is None:
        pytest.skip("no shared SQLite library to ask")
    library = ctypes.CDLL(name)
    library.sqlite3_memory_used.restype = ctypes.c_int64
    return int(library.sqlite3_memory_used())


def _fill(db: pw.Database) -> None:
    db.execute_sql("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)")
    with db.atomic():
        for n in range(ROWS):
            db.execute_sql("INSERT INTO filler (body) VALUES (?)", (f"{n:04d}" + "x" * 1000,))


def _read_all(db: pw.Database) -> None:
    assert db.execute_sql("SELECT count(*), sum(length(body)) FROM filler").fetchone()[0] == ROWS


def test_releasing_frees_the_page_cache_a_scan_filled(tmp_path: Path) -> None:
    db = open_store(tmp_path / "aspa.db")
    _fill(db)
    db.close()
    db.connect()  # a fresh connection: nothing cached
    _read_all(db)
    filled = _sqlite_bytes_in_use()

    release_connection_memory(db)

    freed = filled - _sqlite_bytes_in_use()
    assert freed >= CACHE_KIB * 1024 // 2  # most of the 2 MB cache
    _read_all(db)  # and the connection works on, filling it again
    db.close()


async def test_the_worker_releases_its_own_connection(tmp_path: Path) -> None:
    db = open_store(tmp_path / "aspa.db")
    _fill(db)
    db.close()
    worker = StoreWorker(db)
    try:
        await worker.call(_read_all, db)
        filled = _sqlite_bytes_in_use()
        await worker.release_memory()
        assert filled - _sqlite_bytes_in_use() >= CACHE_KIB * 1024 // 2
        await worker.call(_read_all, db)
    finally:
        worker.close()


def test_a_connection_keeps_a_bounded_number_of_prepared_statements(tmp_path: Path) -> None:
    db = open_store(tmp_path / "aspa.db")
    release_connection_memory(db)
    start = _sqlite_bytes_in_use()
    for n in range(CACHED_STATEMENTS * 4):  # a new statement each: IN lists of every length
        list(Ticket.select().where(Ticket.id.in_(list(range(n + 1)))).limit(5))
    release_connection_memory(db)
    kept = _sqlite_bytes_in_use() - start
    # ~22 KB a statement over the ticket model: 128 kept would be ~2.8 MB
    assert kept < CACHED_STATEMENTS * 40 * 1024
    db.close()
