"""`aspa run`: one asyncio process owning the bus, the clock, the store, the switchboard and
the adapters.

Start: open the store (migrating it), load the open work into the switchboard,
start the bus, start the configured adapters (each handed only the ports it
needs), then tell systemd READY and keep its watchdog fed. Stop (SIGTERM/SIGINT):
refuse new input (the escalation watch runs no further rounds), let every subscriber
finish what is queued (the history writer commits its last rows) for at most
DRAIN_LIMIT_S, stop the adapters, close the database. Every write is a
transaction, so a stop at any moment leaves no half-written rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import peewee as pw

from appliance.config.aspa_toml import Config
from appliance.config.routing_rules import customer_rules, escalation_rules
from appliance.config.service_terms import business_calendar, sla_policy
from appliance.ports.adapter import Adapter
from appliance.ports.notices import OpenPages
from appliance.runtime.change_follower import ChangeFollower
from appliance.runtime.heap_trim import HeapTrimmer, glibc_trim
from appliance.runtime.live_config import LiveConfig
from appliance.runtime.log_damper import damp_repeats
from appliance.runtime.log_level import use_log_level
from appliance.runtime.shutdown import ShutdownRequest
from appliance.runtime.supervisor import AdapterSupervisor
from appliance.runtime.systemd_notify import SystemdNotifier, feed_watchdog, watchdog_timeout
from appliance.runtime.wiring import configured_adapters, part_modules
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock, SystemClock
from appliance.spine.events import Event, HealthChanged
from appliance.store.agent_roster import sync_agents
from appliance.store.data_lock import DataDirBusy, DataDirLock
from appliance.store.errors import StoreError
from appliance.store.history import HistoryWriter
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard

log = logging.getLogger("aspa.daemon")

EXIT_OK = 0
EXIT_CANNOT_START = 1  # systemd's Restart=on-failure tries again
EXIT_RESTART = 75  # EX_TEMPFAIL: stopped to be started again (Restart=on-failure does it)
# How long a stop waits for the bus's subscribers to handle what is queued, before the
# adapters stop and again after: together well inside systemd's TimeoutStopSec (30 s,
# systemd/aspa.service), leaving the adapters their own stop time. A backlog longer than
# this (a first start that finds thousands of SLA breaches has tens of thousands of
# notices queued) is left, named and counted in the log, rather than killed by systemd:
# nothing of it is lost, as an SLA alert whose notices were not recorded yet is told again
# at the next start, and a recorded notice not yet sent goes then (appliance.store.notice_log).
DRAIN_LIMIT_S = 10.0
FINAL_DRAIN_LIMIT_S = 5.0


class StartError(Exception):
    """The daemon cannot start; the message says what to do."""


class Daemon:
    """Everything one `aspa run` owns, started and stopped as a whole."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock | None = None,
        notifier: SystemdNotifier | None = None,
        adapters: Sequence[Adapter] = (),
        config_path: Path | None = None,
    ) -> None:
        self.config = config
        self.config_path = config_path  # the aspa.toml it was started with (the web page edits it)
        self.clock: Clock = clock or SystemClock()
        self.bus = EventBus()
        self.notifier = notifier or SystemdNotifier.from_environment()
        self.supervisor = AdapterSupervisor(self.bus, self.clock)
        self._extra_adapters = tuple(adapters)
        self.store: StoreWorker | None = None
        self.switchboard: Switchboard | None = None
        self.history: HistoryWriter | None = None
        self.tickets: TicketBook | None = None
        self.changes: ChangeFollower | None = None
        self.heap: HeapTrimmer | None = None
        self._froze = False
        self._watchdog: asyncio.Task[None] | None = None
        self._data_lock: DataDirLock | None = None
        self.open_pages = OpenPages()  # the web counts each agent's live pages, notices ask
        self.live = LiveConfig(self)  # the settings pages restart the parts they change
        self.shutdown: ShutdownRequest | None = None  # set by serve()
        self.running = asyncio.Event()  # set once READY is told: work that can wait, waits
        self.exit_code = EXIT_OK

    def request_restart(self, why: str) -> None:
        """Stop cleanly and exit with EXIT_RESTART, so that systemd starts the daemon again."""
        self.exit_code = EXIT_RESTART
        if self.shutdown is not None:
            self.shutdown.request(f"restart {why}")

    async def start(self) -> None:
        """Bring everything up; raises StartError when the store cannot be used."""
        # No cyclic collection while start-up builds what lives as long as the daemon: its
        # passes found nothing to free and took ~50 ms of READY (a full one 30 ms at 2,000
        # open items). What start-up made is frozen at its end, out of later passes too.
        collecting = gc.isenabled()
        gc.disable()
        try:
            await self._start()
        finally:
            if collecting:
                gc.enable()

    async def _start(self) -> None:
        data_dir = self.config.data_path
        try:
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise StartError(f"cannot create data directory {data_dir}: "
                             f"{error.strerror or error}; fix data_dir in aspa.toml") from error
        self._hold_data_dir(data_dir)
        self.notifier.status("opening the database")
        # The store's start-up check reads the whole file (PRAGMA quick_check: 0.1 s at
        # 50 MB, growing with it) in SQLite, without the GIL: the parts' modules are
        # imported meanwhile, on this thread, rather than after it.
        opening = asyncio.get_running_loop().run_in_executor(None, self._open_store)
        try:
            for name in part_modules(self.config):
                importlib.import_module(name)
        finally:
            db = await opening
        self.store = StoreWorker(db)
        self.switchboard = Switchboard(self.store, self.bus, self.clock,
                                       rules=customer_rules(self.config),
                                       escalation=escalation_rules(self.config))
        await self.switchboard.load()
        self.tickets = TicketBook(db, self.bus, self.clock, worker=self.store,
                                  policy=sla_policy(self.config),
                                  calendar=business_calendar(self.config))
        self.switchboard.use_tickets(self.tickets)
        self.history = HistoryWriter(db, worker=self.store)
        self.history.attach(self.bus)
        self.switchboard.attach()
        if self.notifier.enabled:
            self.bus.subscribe("systemd-status", self._tell_status, [HealthChanged])
        self.bus.start()
        for adapter in (*configured_adapters(self), *self._extra_adapters):
            self.supervisor.add(adapter)
        await self.supervisor.start_all()
        # What other processes changed (while stopped, too), now that every part listens: the
        # follower's first read, behind the store work the parts queued as they started, took
        # 0.1-0.3 s that READY need not wait for (the box answers without it).
        self.changes = ChangeFollower(self.store, self.bus)
        self.changes.start()
        self.heap = HeapTrimmer(self.bus, glibc_trim(), release=self.store.release_memory)
        self.heap.start()
        # What start-up made (the open work, the modules, the web app) lives as long as the
        # daemon: out of the cyclic collector's full passes, which otherwise walk all of it
        # (up to 176 ms at 40,000 open items on a loaded machine: a request's p99, bench/web.py).
        gc.freeze()
        self._froze = True
        self.notifier.ready(self.status_line())
        self.running.set()
        timeout = watchdog_timeout()
        if timeout is not None:
            self._watchdog = asyncio.create_task(
                feed_watchdog(self.notifier, timeout, self.healthy), name="systemd-watchdog")
        log.info("aspa running: %s", self.status_line())

    def _hold_data_dir(self, data_dir: Path) -> None:
        """Own the data directory while running, so a restore cannot swap it underneath."""
        lock = DataDirLock(data_dir, "aspa run")
        try:
            lock.acquire()
        except DataDirBusy as error:
            raise StartError(f"{error}: stop it first (one daemon per data directory)") from error
        except OSError as error:
            raise StartError(f"cannot lock data directory {data_dir}: "
                             f"{error.strerror or error}") from error
        self._data_lock = lock

    def _open_store(self) -> pw.Database:
        """Open (or migrate) the store and sync the agents; closes this thread's connection."""
        try:
            db = open_store(self.config.database_url)
        except StoreError as error:
            raise StartError(str(error)) from error
        try:
            self._sync_agents(db)
        finally:
            db.close()  # this thread's connection; from now on the store thread has the only one
        return db

    def _sync_agents(self, db: pw.Database) -> None:
        """Bring the store's agents in line with aspa.toml's [[agents]] (one transaction)."""
        if not self.config.agents:
            return
        changes = sync_agents(db, self.config.agents)
        if changes.added or changes.updated:
            log.info("agents from aspa.toml: added %s; updated %s",
                     ", ".join(changes.added) or "none", ", ".join(changes.updated) or "none")

    def status_line(self) -> str:
        """One line for `systemctl status`: open work and each part's state."""
        open_items = self.switchboard.open_count if self.switchboard is not None else 0
        parts = [f"{name}: {h.detail}" for name, h in self.supervisor.health().items()]
        return "; ".join([f"{open_items} open work items", *parts])

    def _tell_status(self, _event: Event) -> None:
        """A part came up or went down: `systemctl status` shows it."""
        self.notifier.status(self.status_line())

    def healthy(self) -> bool:
        """True while every bus subscriber task is alive and the store is open."""
        if self.store is None:
            return False
        return all(s.task is not None and not s.task.done() for s in self.bus.subscriptions)

    async def stop(self) -> None:
        """Stop input, drain the bus, stop adapters, close the store; safe after a failed start."""
        self.notifier.stopping("stopping")
        if self.changes is not None:
            await self.changes.stop()
        if self.heap is not None:
            await self.heap.stop()
        await self.supervisor.stop_input()
        _report_unhandled(await self.bus.drain(DRAIN_LIMIT_S))
        await self.supervisor.stop_all()
        # also delivers what the adapters published while stopping
        _report_unhandled(await self.bus.stop(FINAL_DRAIN_LIMIT_S))
        if self.store is not None:
            await asyncio.to_thread(self.store.close)
            self.store = None
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
            self._watchdog = None
        self.notifier.close()
        if self._data_lock is not None:
            self._data_lock.release()
            self._data_lock = None
        if self._froze:
            gc.unfreeze()  # what start-up made may go now (a process may start another daemon)
            self._froze = False
        recorded = self.history.written if self.history is not None else 0
        log.info("aspa stopped: %d events published, %d recorded in history",
                 self.bus.published, recorded)


def _report_unhandled(left: dict[str, int]) -> None:
    for name, count in left.items():
        log.warning("stopping: subscriber %s still had %d events queued; left unhandled",
                    name, count)


async def serve(
    daemon: Daemon,
    *,
    shutdown: ShutdownRequest | None = None,
    on_started: Callable[[Daemon], None] | None = None,
) -> int:
    """Run `daemon` until SIGTERM/SIGINT (or `shutdown` is requested); returns the exit code."""
    shutdown = shutdown or ShutdownRequest()
    daemon.shutdown = shutdown
    shutdown.install()
    try:
        try:
            await daemon.start()
        except StartError as error:
            log.error("cannot start: %s", error)
            print(f"aspa: cannot start: {error}", file=sys.stderr)
            await daemon.stop()
            return EXIT_CANNOT_START
        except BaseException:
            await daemon.stop()  # release what did start; the caller reports the error
            raise
        if on_started is not None:
            on_started(daemon)
        await shutdown.wait()
        await daemon.stop()
        return daemon.exit_code
    finally:
        shutdown.uninstall()


def run(config: Config, config_path: Path | None = None) -> int:
    """`aspa run`: serve until stopped; 0 after a clean stop."""
    use_log_level(config.log.level)
    damp_repeats()
    return asyncio.run(serve(Daemon(config, config_path=config_path)))
