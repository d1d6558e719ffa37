"""`aspa run` as a real process, and the daemon's start, isolation and clean stop in-process."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import re
import signal
import socket
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from appliance.config.aspa_toml import load_config
from appliance.ports.adapter import AdapterHealth
from appliance.runtime.daemon import EXIT_CANNOT_START, Daemon, serve
from appliance.runtime.shutdown import ShutdownRequest
from appliance.runtime.systemd_notify import SystemdNotifier
from appliance.spine.events import (
    AgentRosterChanged,
    Event,
    HealthChanged,
    LineStatus,
    SmsReceived,
)
from appliance.store.change_feed import record_changes
from appliance.store.startup import open_store
from tests.daemon_box import OPEN_SUBJECTS, Box, logged_in_session, make_box, seed
from tests.systemd_listener import NotifyListener

STOP_LINE = re.compile(r"aspa stopped: (\d+) events published, (\d+) recorded in history")
WEB_URL = re.compile(r"web: serving (http://\S+/)")


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[NotifyListener]:
    listener = NotifyListener.in_dir(tmp_path)
    yield listener
    listener.close()


@pytest.fixture
def box(tmp_path: Path) -> Box:
    made = make_box(tmp_path)
    seed(made)
    return made


def _integrity(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def _wal_is_empty(database: Path) -> bool:
    """After the last connection closed cleanly, SQLite has checkpointed and removed the WAL."""
    wal = Path(f"{database}-wal")
    return not wal.exists() or wal.stat().st_size == 0


def _history_rows(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return int(db.execute("SELECT COUNT(*) FROM history_entry").fetchone()[0])


@contextlib.asynccontextmanager
async def aspa_process(
    box: Box, systemd: NotifyListener, *args: str, watchdog_usec: int | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {**os.environ, "NOTIFY_SOCKET": systemd.address}
    env.pop("WATCHDOG_PID", None)
    env.pop("WATCHDOG_USEC", None)
    if watchdog_usec is not None:
        env["WATCHDOG_USEC"] = str(watchdog_usec)
    stderr = (box.root / "stderr.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "appliance", "--config", str(box.config_path), *args,
        env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        stderr.close()


async def test_aspa_run_serves_then_stops_cleanly_on_sigterm(
    box: Box, systemd: NotifyListener
) -> None:
    async with aspa_process(box, systemd, "run", watchdog_usec=1_000_000) as proc:
        ready = await systemd.wait_for("READY", within=60)
        assert ready["MAINPID"] == str(proc.pid)
        assert ready["STATUS"].startswith(f"{len(OPEN_SUBJECTS)} open work items")
        url_match = WEB_URL.search(ready["STATUS"])
        assert url_match, ready
        # systemd's watchdog is fed while it runs (WATCHDOG_USEC=1 s: a ping every 0.5 s)
        for _ in range(2):
            await systemd.wait_for("WATCHDOG", within=5)

        session = await logged_in_session(url_match.group(1))
        async with session:
            page = await (await session.get("/")).text()
            for subject in OPEN_SUBJECTS:
                assert subject in page
            assert "Already sorted" not in page
            stats = await (await session.get("/api/stats")).json()
            assert stats["open_work_items"] == len(OPEN_SUBJECTS)
            # `aspa --config FILE run` tells the web page which aspa.toml its admin may edit
            settings = await (await session.get("/api/admin/settings")).json()
            assert settings["editable"]["writable"] is True

        proc.send_signal(signal.SIGTERM)
        await systemd.wait_for("STOPPING", within=10)
        assert await asyncio.wait_for(proc.wait(), 30) == 0

    log = (box.root / "stderr.log").read_text()
    assert "Traceback" not in log
    stopped = STOP_LINE.search(log)
    assert stopped, log
    published, recorded = int(stopped.group(1)), int(stopped.group(2))
    assert published >= 1  # at least the web page's HealthChanged
    assert recorded == published
    assert _integrity(box.database) == "ok"
    assert _history_rows(box.database) == recorded
    assert _wal_is_empty(box.database)


async def test_a_database_it_cannot_use_is_one_sentence_and_exit_1(
    tmp_path: Path, systemd: NotifyListener
) -> None:
    box = make_box(tmp_path)
    box.database.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    async with aspa_process(box, systemd, "run") as proc:
        assert await asyncio.wait_for(proc.wait(), 60) == EXIT_CANNOT_START
    log = (box.root / "stderr.log").read_text()
    assert "aspa: cannot start:" in log
    assert "Traceback" not in log
    assert box.database.read_bytes().startswith(b"this is not a database")  # left as it was


# --- in-process: the daemon object itself ------------------------------------------------


class BurstSource:
    """An input adapter that publishes SMS events as fast as it can until told to stop."""

    name = "burst"

    def __init__(self, daemon: Daemon) -> None:
        self._daemon = daemon
        self._task: asyncio.Task[None] | None = None
        self.sent = 0
        self.input_open = False
        self.enough = asyncio.Event()

    async def start(self) -> None:
        self.input_open = True
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while self.input_open:
            self._daemon.bus.publish(SmsReceived(at=datetime.now(UTC), line="sim0",
                                                 number="+358401234567", text=f"#{self.sent}"))
            self.sent += 1
            if self.sent == 300:
                self.enough.set()
            await asyncio.sleep(0)

    async def stop_input(self) -> None:
        self.input_open = False
        if self._task is not None:
            await self._task

    async def stop(self) -> None:
        await self.stop_input()

    def health(self) -> AdapterHealth:
        return AdapterHealth(ok=self.input_open, detail=f"{self.sent} sent")


async def test_a_stop_under_load_records_every_event_published(
    box: Box, systemd: NotifyListener
) -> None:
    daemon = Daemon(load_config(box.config_path), notifier=SystemdNotifier(systemd.address))
    source = BurstSource(daemon)
    daemon._extra_adapters = (source,)
    shutdown = ShutdownRequest()

    async def stop_when_busy(_: Daemon) -> None:
        await source.enough.wait()
        shutdown.request("test: stop under load")

    started: list[asyncio.Task[None]] = []
    code = await serve(daemon, shutdown=shutdown,
                       on_started=lambda d: started.append(asyncio.create_task(stop_when_busy(d))))
    assert code == 0
    assert source.sent >= 300
    assert daemon.history is not None
    assert daemon.history.written == daemon.bus.published
    sms_rows = _count_kind(box.database, "sms.received")
    assert sms_rows == source.sent
    assert _integrity(box.database) == "ok"


def _web_failures_recorded(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as db:
        rows = db.execute("SELECT data FROM history_entry WHERE kind = 'health.changed'")
        return sum(1 for (data,) in rows if '"part": "web"' in data and '"ok": false' in data)


def _count_kind(database: Path, kind: str) -> int:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return int(db.execute("SELECT COUNT(*) FROM history_entry WHERE kind = ?",
                              (kind,)).fetchone()[0])


async def test_a_failing_subscriber_does_not_cost_the_others_an_event(
    box: Box, systemd: NotifyListener
) -> None:
    daemon = Daemon(load_config(box.config_path), notifier=SystemdNotifier(systemd.address))
    seen: list[Event] = []

    def explode(event: Event) -> None:
        raise RuntimeError(f"broken subscriber on {event.kind}")

    await daemon.start()
    try:
        daemon.bus.subscribe("broken", explode)
        daemon.bus.subscribe("recorder", seen.append)
        sent = [LineStatus(at=datetime.now(UTC), line="gsm0", registered=i % 2 == 0, signal=i)
                for i in range(50)]
        for event in sent:
            daemon.bus.publish(event)
        await daemon.bus.drain()
        assert [e.event_id for e in seen] == [e.event_id for e in sent]
        broken = next(s for s in daemon.bus.subscriptions if s.name == "broken")
        assert broken.failed == 50
        assert daemon.healthy()
    finally:
        await daemon.stop()
    assert _count_kind(box.database, "line.status") == 50


async def test_what_start_up_made_is_left_out_of_full_collections_until_the_stop(
    box: Box, systemd: NotifyListener
) -> None:
    frozen_before = gc.get_freeze_count()
    daemon = Daemon(load_config(box.config_path), notifier=SystemdNotifier(systemd.address))
    await daemon.start()
    try:
        assert daemon.switchboard is not None and daemon.switchboard.open_count == 3
        assert gc.get_freeze_count() > frozen_before  # the queue, the app, the modules' objects
    finally:
        await daemon.stop()
    assert gc.get_freeze_count() == 0


NO_RETENTION = ("[retention]\nclosed_tickets_days = 0\ncall_records_days = 0\nsms_days = 0\n"
                "attachments_days = 0\nquarantine_days = 0\naudit_days = 0\n")


async def test_a_part_that_cannot_start_is_reported_and_the_daemon_runs_on(
    tmp_path: Path, systemd: NotifyListener
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # the web page is the only part here: the nightly retention job is switched off
        box = make_box(tmp_path, web_port=port, extra_toml=NO_RETENTION)
        daemon = Daemon(load_config(box.config_path), notifier=SystemdNotifier(systemd.address))
        health: list[HealthChanged] = []
        daemon.bus.subscribe("health", health.append, [HealthChanged])
        await daemon.start()
        try:
            ready = await systemd.wait_for("READY")
            assert "web: not started: cannot listen on 127.0.0.1" in ready["STATUS"]
            assert "change web.port" in ready["STATUS"]
            await daemon.bus.drain()
            # the failure is also told as a STATUS line of its own, as it happens
            while not any("web: not started" in f.get("STATUS", "") and "READY" not in f
                          for _, f in systemd.received):
                await systemd.next(within=5)
            web = [h for h in health if h.part == "web"]
            assert web  # one per attempt: a slow machine may already have retried
            assert all(not h.ok and h.detail.startswith("cannot listen on 127.0.0.1")
                       for h in web)
            assert daemon.healthy()
        finally:
            await daemon.stop()
    assert _web_failures_recorded(box.database) == len([h for h in health if h.part == "web"])


class _HoldsTheStore:
    """A part whose start, once every other part has started, leaves the store's thread busy
    until the test lets it go."""

    name = "holder"

    def __init__(self) -> None:
        self.daemon: Daemon | None = None
        self.release = threading.Event()
        self.started: set[str] = set()
        self.others_started = asyncio.Event()

    def heard(self, event: Event) -> None:
        assert self.daemon is not None and isinstance(event, HealthChanged)
        self.started.add(event.part)
        others = {a.name for a in self.daemon.supervisor.adapters} - {self.name}
        if others and others <= self.started:
            self.others_started.set()

    async def start(self) -> None:
        assert self.daemon is not None and self.daemon.store is not None
        await self.others_started.wait()
        self.daemon.store.submit(self.release.wait, 30)  # not awaited: the thread is held

    async def stop(self) -> None:
        self.release.set()

    def health(self) -> AdapterHealth:
        return AdapterHealth(ok=True, detail="holding the store")


async def test_ready_does_not_wait_for_the_change_feed_which_is_read_after_it(
    box: Box, systemd: NotifyListener
) -> None:
    db = open_store(box.database)  # a command changed the store while the daemon was stopped
    try:
        record_changes([AgentRosterChanged(at=datetime.now(UTC), agent_id=1,
                                           change="updated")], "aspa user")
    finally:
        db.close()
    holder = _HoldsTheStore()
    daemon = Daemon(load_config(box.config_path), notifier=SystemdNotifier(systemd.address),
                    adapters=[holder])
    holder.daemon = daemon
    daemon.bus.subscribe("holder", holder.heard, [HealthChanged])
    heard = asyncio.Event()
    daemon.bus.subscribe("heard", lambda _event: heard.set(), [AgentRosterChanged])
    try:
        # the store thread is busy: READY comes all the same (it used to wait for the feed)
        await asyncio.wait_for(daemon.start(), 20)
        await systemd.wait_for("READY")
        assert not heard.is_set()
        holder.release.set()
        await asyncio.wait_for(heard.wait(), 20)  # the follower's first read, once it can
    finally:
        holder.release.set()
        await daemon.stop()
