"""Store fixtures: every test that takes `db` runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import peewee as pw
import pytest

from appliance.spine.clock import ManualClock
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database: an SQLite file, or a fresh PostgreSQL database (tests.peers.postgres)."""
    if request.param == "sqlite":
        return str(tmp_path_factory.mktemp("store") / "aspa.db")
    return str(request.getfixturevalue("postgres_db").url)


@pytest.fixture
def db(store_url: str) -> Iterator[pw.Database]:
    """The store at the current schema, bound to the models."""
    database = open_store(store_url)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def worker(db: pw.Database) -> Iterator[StoreWorker]:
    """The store thread, closed (with its connection) after the test."""
    store_worker = StoreWorker(db)
    try:
        yield store_worker
    finally:
        store_worker.close()
