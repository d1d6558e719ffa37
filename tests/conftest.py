"""Test-wide fixtures: the real peers (Mosquitto, Dovecot, SMTP, PostgreSQL) from tests/peers."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker
from tests.peers.binaries import ALL_PROGRAMS

pytest_plugins = [
    "tests.peers.mosquitto",
    "tests.peers.dovecot",
    "tests.peers.smtp",
    "tests.peers.postgres",
]


# Every property test here checks pure logic (the work queue, the SMS codec, the line reader,
# the business calendar): how long an example takes is no property of it, so Hypothesis's
# 200 ms deadline and its too-slow health check only measure how busy the machine is.
# Timing that matters is asserted where it matters, against injected clocks.
settings.register_profile("aspa", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow], print_blob=True)
# Hypothesis's own defaults, deadline and all, for whoever wants to see the timings.
settings.register_profile("timed", print_blob=True)
settings.load_profile(os.environ.get("ASPA_HYPOTHESIS_PROFILE", "aspa"))


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Name the peer programs that are missing, so skipped peer tests never surprise."""
    missing = sorted(
        {f"{p.name} (Debian package {p.debian_package})" for p in ALL_PROGRAMS if p.find() is None}
    )
    if not missing:
        return ["peers: mosquitto and dovecot found"]
    return [f"peers missing, their tests will skip: {', '.join(missing)}"]


@pytest.fixture
def tiny_mount(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB tmpfs to fill up (needs root, as CI has); skipped where mount is refused."""
    point = tmp_path / "tiny-mount"
    point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0777", "tmpfs",
                           str(point)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[StoreWorker]:
    """A migrated SQLite store in the test's folder, on its worker thread (a folder's own
    conftest may give `store` another meaning, as tests/web does)."""
    db = open_store(tmp_path / "aspa.db")
    db.close()
    worker = StoreWorker(db)
    yield worker
    worker.close()
