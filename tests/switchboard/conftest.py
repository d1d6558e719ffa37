"""What the switchboard's tests share: a fresh store of the current schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[StoreWorker]:
    """A migrated SQLite store in the test's folder, on its worker thread."""
    db = open_store(tmp_path / "aspa.db")
    db.close()
    worker = StoreWorker(db)
    yield worker
    worker.close()
