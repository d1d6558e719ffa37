"""The box watching its own ground while it runs: data folder, data partition, backups.

`aspa doctor` asks once; this adapter asks every minute, so that a full disk,
a data partition gone read-only or stale backups show on the web page (its
list of parts), over MQTT (HealthChanged) and in the journal as soon as they
happen — and show as fixed once they are. Only checks that read local state
run here: the modem and broker checks would disturb the running lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from appliance.doctor.registry import Finding, run_checks
from appliance.ports.adapter import AdapterHealth
from appliance.spine.bus import EventBus
from appliance.spine.events import HealthChanged

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config
    from appliance.spine.clock import Clock

log = logging.getLogger("aspa.doctor")

WATCHED_PARTS = ("data dir", "data partition", "backup")
# Only the modules of those checks: loading every part's doctor would load every part.
WATCHED_MODULES = ("appliance.doctor.core_checks", "appliance.doctor.data_partition",
                   "appliance.backup.doctor")
CHECK_EVERY_S = 60.0


class BoxWatch:
    """Runs the local doctor checks periodically and reports every change of their state."""

    name = "box"

    def __init__(self, config: Config, bus: EventBus, clock: Clock, *,
                 every_s: float = CHECK_EVERY_S) -> None:
        self._config = config
        self._bus = bus
        self._clock = clock
        self._every_s = every_s
        self._task: asyncio.Task[None] | None = None
        self.findings: dict[str, Finding] = {}

    async def start(self) -> None:
        await self.check_now()
        self._task = asyncio.create_task(self._watch(), name="box-watch")

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._every_s)
            await self.check_now()

    async def check_now(self) -> list[Finding]:
        """Run the checks (in a thread: they touch the disk) and report what changed."""
        found = await asyncio.to_thread(run_checks, self._config, WATCHED_PARTS, WATCHED_MODULES)
        for finding in found:
            before = self.findings.get(finding.part)
            self.findings[finding.part] = finding
            if before is not None and before.status == finding.status:
                continue
            failing = finding.status == "fail"
            if failing or (before is not None and before.status == "fail"):
                self._bus.publish(HealthChanged(at=self._clock.now(), part=finding.part,
                                                ok=not failing, detail=finding.detail))
            if finding.status in ("fail", "warn"):
                log.warning("%s: %s", finding.part, finding.detail)
            elif before is not None:
                log.info("%s: fixed: %s", finding.part, finding.detail)
        return found

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def health(self) -> AdapterHealth:
        bad = [f for f in self.findings.values() if f.status == "fail"]
        if bad:
            return AdapterHealth(ok=False, detail="; ".join(f"{f.part}: {f.detail}" for f in bad))
        warned = [f for f in self.findings.values() if f.status == "warn"]
        detail = "; ".join(f"{f.part}: {f.detail}" for f in warned) or "data and backups ok"
        return AdapterHealth(ok=True, detail=detail)
