"""Erasure and retention on a PostgreSQL store: the same queries, the same result."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config.sections.retention import RetentionSettings
from appliance.privacy.audit import Actor
from appliance.privacy.erasure import erase_customer
from appliance.privacy.retention import run_retention
from appliance.spine.clock import ManualClock
from appliance.store.startup import open_store
from tests.peers.postgres import PostgresDatabase
from tests.privacy.scenario import MAIJA_MARKERS, START, ZONE, figures, populate

pytestmark = pytest.mark.postgres


def test_erasure_on_postgres_scrubs_every_row_and_keeps_the_figures(
        postgres_db: PostgresDatabase, tmp_path: Path) -> None:
    db = open_store(postgres_db.url)
    try:
        clock = ManualClock(START)
        people = populate(db, tmp_path, clock)
        before = figures(clock.now())

        report = erase_customer(db, people.maija, actor=Actor.system(),
                                attachments_root=tmp_path / "attachments", clock=clock)

        assert report.compacted and report.counts["tickets"] == 3
        assert figures(clock.now()) == before
        found = set()
        for table in db.get_tables():
            rows = db.execute_sql(f'SELECT * FROM "{table}"').fetchall()
            text = " ".join(bytes(v).decode("utf-8", "replace") if isinstance(v, memoryview | bytes)
                            else str(v) for row in rows for v in row).lower()
            found |= {m for m in MAIJA_MARKERS if m.lower() in text}
        assert found == set()
        retention = run_retention(db, RetentionSettings(quarantine_days=1), clock.now(), ZONE,
                                  tmp_path / "attachments")
        assert retention.removed["quarantine"] == 2
    finally:
        db.close()
