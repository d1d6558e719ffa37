"""The daemon's nightly retention run, shortly after local midnight in the box's time zone.

The store thread does the work; the loop only waits. Time comes from the
injected clock and the wait from an injected sleep, so a test drives whole
nights without waiting for one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path

from appliance.config.sections.retention import RetentionSettings
from appliance.ports.adapter import AdapterHealth
from appliance.privacy.retention import RetentionReport, applied_event, run_retention
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.store.worker import StoreWorker

log = logging.getLogger("aspa.privacy.nightly")

# After the day's figures are closed at midnight (appliance/store/daily_figures.py), and
# before the default backup.at (02:30), so a backup never holds expired data; docs/updates.md
# asks for a backup.at after 00:15 for the same reason.
RUN_AT = time(0, 15)
RETRY_AFTER = timedelta(hours=1)  # a failed run (database busy, disk trouble) is tried again

Sleep = Callable[[float], Awaitable[None]]


def next_run(now: datetime, zone: tzinfo) -> datetime:
    """The first local RUN_AT strictly after `now`, as an aware datetime."""
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), RUN_AT, zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), RUN_AT, zone)
    return candidate


class NightlyRetention:
    """An adapter that applies the retention policy every night."""

    def __init__(self, store: StoreWorker, policy: RetentionSettings, zone: tzinfo,
                 attachments_root: Path, clock: Clock, *, bus: EventBus | None = None,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.store = store
        self.bus = bus
        self.policy = policy
        self.zone = zone
        self.attachments_root = attachments_root
        self.clock = clock
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self.last_report: RetentionReport | None = None
        self.last_error: str | None = None
        self.next_at: datetime | None = None

    @property
    def name(self) -> str:
        """The adapter's name in health and logs."""
        return "retention"

    async def start(self) -> None:
        """Begin waiting for the next night."""
        self._task = asyncio.create_task(self._loop(), name="nightly-retention")

    async def stop(self) -> None:
        """Stop waiting; a run under way finishes its transaction in the store thread."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def health(self) -> AdapterHealth:
        """The last run's outcome and the next run's time."""
        when = f"next run {self.next_at:%Y-%m-%d %H:%M %Z}" if self.next_at else "not scheduled"
        if self.last_error is not None:
            return AdapterHealth(ok=False, detail=f"last run failed: {self.last_error}; {when}")
        if self.last_report is None:
            return AdapterHealth(ok=True, detail=when)
        removed = sum(self.last_report.removed.values())
        return AdapterHealth(ok=True, detail=f"last run removed {removed} items; {when}")

    async def run_once(self) -> RetentionReport:
        """Apply the policy as of the clock's now, in the store thread; tell the bus."""
        report = await self.store.call(run_retention, self.store.db, self.policy,
                                       self.clock.now(), self.zone, self.attachments_root)
        if self.bus is not None:
            self.bus.publish(applied_event(report, self.clock.now()))
        return report

    async def _loop(self) -> None:
        while True:
            now = self.clock.now()
            self.next_at = next_run(now, self.zone)
            await self._sleep(max(0.0, (self.next_at - now).total_seconds()))
            try:
                self.last_report = await self.run_once()
                self.last_error = None
            except Exception as error:  # the next night, or the retry, tries again
                self.last_error = str(error)
                log.error("retention run failed: %s; trying again in %s", error, RETRY_AFTER)
                await self._sleep(RETRY_AFTER.total_seconds())
