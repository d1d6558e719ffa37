"""`aspa run` stops within systemd's stop timeout even with thousands of notices queued.

A box that starts with many tickets past their SLA due time (a first start after an
upgrade, a box that was off for days) publishes one SLA breach per ticket, each a notice
to every agent: far more work than a stop may wait for. The real daemon, a real SIGTERM.
What the stop leaves is not lost: each breach is kept, told or owed, and an owed one is
told at the next start (tests/switchboard/test_escalation.py shows it, exactly once).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.store.startup import open_store
from appliance.switchboard.switchboard import ALERT_BATCH
from tests.daemon_box import Box, make_box
from tests.systemd_listener import NotifyListener

BREACHED = 2_000
AGENTS = 10
# systemd/aspa.service stops the daemon with TimeoutStopSec=30, then kills it.
STOP_BOUND_S = 25.0
LOG_WAIT_S = 60.0


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[NotifyListener]:
    listener = NotifyListener.in_dir(tmp_path)
    yield listener
    listener.close()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _breached_box(root: Path) -> Box:
    agents = "".join(f'\n[[agents]]\nlogin = "agent{i}"\nname = "Agent {i}"\n'
                     for i in range(AGENTS))
    box = make_box(root, extra_toml=agents)
    open_store(box.database).close()
    now = datetime.now(UTC)
    rows = []
    for i in range(BREACHED):
        created = now - timedelta(days=3, minutes=i)
        rows.append((1001 + i, "email", f"Breached ticket {i}", "open", "normal",
                     _stamp(created), _stamp(created), _stamp(created + timedelta(hours=4)),
                     _stamp(created + timedelta(days=1))))
    with contextlib.closing(sqlite3.connect(box.database)) as db, db:
        db.executemany(
            "INSERT INTO ticket (number, channel, subject, status, priority, created_at, "
            "updated_at, first_response_due, resolution_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows)
    return box


class DaemonLog:
    """Reads the daemon's stderr as it comes (so the pipe never fills) and tells when a
    text has appeared."""

    def __init__(self, stream: asyncio.StreamReader, awaited: str) -> None:
        self.lines: list[str] = []
        self.seen = asyncio.Event()
        self._awaited = awaited
        self._task = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            line = raw.decode(errors="replace")
            self.lines.append(line)
            if self._awaited in line:
                self.seen.set()

    async def ended(self) -> str:
        await self._task
        return "".join(self.lines)


async def test_sigterm_with_thousands_of_breach_notices_queued_exits_0_in_time(
    tmp_path: Path, systemd: NotifyListener
) -> None:
    box = _breached_box(tmp_path)
    env = {**os.environ, "NOTIFY_SOCKET": systemd.address}
    env.pop("WATCHDOG_PID", None)
    env.pop("WATCHDOG_USEC", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "appliance", "--config", str(box.config_path), "run",
        env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    # the escalation watch's first round has begun telling the breaches
    daemon_log = DaemonLog(proc.stderr, "notice sla_breach to agent")
    try:
        await systemd.wait_for("READY", within=LOG_WAIT_S)
        await asyncio.wait_for(daemon_log.seen.wait(), LOG_WAIT_S)
        proc.send_signal(signal.SIGTERM)
        await systemd.wait_for("STOPPING", within=10)
        code = await asyncio.wait_for(proc.wait(), STOP_BOUND_S)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    log = await daemon_log.ended()
    assert code == 0, log
    assert "Traceback" not in log
    assert "aspa stopped:" in log
    with contextlib.closing(sqlite3.connect(box.database)) as db:
        alerts = dict(db.execute("SELECT state, COUNT(*) FROM notice_log_entry "
                                 "WHERE kind = 'sla-breach' GROUP BY state").fetchall())
    assert set(alerts) <= {"alert", "alert-owed"}
    # claimed a batch at a time: what the stop cut off is not recorded at all, so the next
    # start's first round finds it breached and tells it (tests/switchboard/test_escalation.py)
    claimed = sum(alerts.values())
    assert 0 < claimed <= BREACHED
    assert claimed % ALERT_BATCH == 0 or claimed == BREACHED
