"""A PostgreSQL store goes into the archive as a pg_dump and comes back with pg_restore."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from appliance.backup.create import create_backup
from appliance.backup.restore import restore_backup
from appliance.spine.clock import SystemClock
from appliance.store.migrations import LATEST_VERSION
from appliance.store.models import Ticket
from appliance.store.startup import open_store
from appliance.store.ticket_records import TicketRecords
from tests.backup.conftest import make_backup_box
from tests.peers.postgres import PostgresDatabase

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(shutil.which("pg_dump") is None,
                       reason="pg_dump missing: install the Debian package postgresql-client"),
]


def _subjects(url: str) -> list[str]:
    db = open_store(url)
    try:
        return [t.subject for t in Ticket.select().order_by(Ticket.id)]
    finally:
        db.close()


def test_round_trip_through_pg_dump(postgres_db: PostgresDatabase, tmp_path: Path) -> None:
    box = make_backup_box(tmp_path / "box", extra_toml="")
    box.config_path.write_text(box.config_path.read_text().replace(
        "[box]", f'[database]\nurl = "{postgres_db.url}"\n[box]'))
    db = open_store(postgres_db.url)
    try:
        TicketRecords(db, SystemClock()).open_ticket("email", "kept in PostgreSQL")
    finally:
        db.close()
    archive = create_backup(box.config, tmp_path / "pg.tar.gz", config_path=box.config_path)

    db = open_store(postgres_db.url)
    try:
        TicketRecords(db, SystemClock()).open_ticket("email", "after the backup")
    finally:
        db.close()
    report = restore_backup(box.config, archive)
    assert report.manifest.database == "postgresql"
    assert report.manifest.schema_version == LATEST_VERSION
    assert _subjects(postgres_db.url) == ["kept in PostgreSQL"]
