"""PostgreSQL's driver stays out of a process on SQLite, and comes in for PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from appliance.store.migrations import LATEST_VERSION
from tests.peers.postgres import PostgresDatabase

# What `aspa run` does: the gate with the configured URL, then the store.
OPEN_THROUGH_THE_GATE = (
    "import sys\n"
    "from appliance.store.postgres_driver import leave_driver_out\n"
    "kept_out = leave_driver_out(sys.argv[1])\n"
    "from appliance.store.migrations import read_schema_version\n"
    "from appliance.store.startup import open_store\n"
    "db = open_store(sys.argv[1])\n"
    "print(kept_out, read_schema_version(db), type(db).__name__,\n"
    "      sys.modules.get('psycopg2') is not None)\n"
    "db.close()\n"
)


def _open_through_the_gate(url: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", OPEN_THROUGH_THE_GATE, url], check=True,
                         capture_output=True, text=True, timeout=120)
    return run.stdout.split()


def test_an_sqlite_store_opens_without_the_driver(tmp_path: Path) -> None:
    kept_out, version, kind, driver_loaded = _open_through_the_gate(
        f"sqlite:///{tmp_path / 'aspa.db'}")

    assert (kept_out, kind, driver_loaded) == ("True", "SqliteDatabase", "False")
    assert int(version) == LATEST_VERSION


def test_a_postgresql_store_keeps_its_driver(postgres_db: PostgresDatabase) -> None:
    kept_out, version, kind, driver_loaded = _open_through_the_gate(str(postgres_db.url))

    assert (kept_out, kind, driver_loaded) == ("False", "PostgresqlDatabase", "True")
    assert int(version) == LATEST_VERSION


def test_the_gate_does_nothing_once_peewee_is_loaded() -> None:
    from appliance.store.postgres_driver import leave_driver_out

    assert "peewee" in sys.modules  # this test process has imported the store
    before = sys.modules.get("psycopg2")
    assert leave_driver_out("sqlite:///elsewhere.db") is False
    assert sys.modules.get("psycopg2") is before


def test_the_cli_imports_neither_peewee_nor_the_driver() -> None:
    # the gate in `aspa run` works only while nothing before it has imported peewee
    code = "import sys, appliance.cli; print('peewee' in sys.modules, 'psycopg2' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, timeout=120)
    assert run.stdout.split() == ["False", "False"]
