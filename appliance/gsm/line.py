"""One GSM modem line (driver + line supervisor) plugged into the daemon as an adapter.

The line supervisor keeps the modem up by itself (reopen, reset, park on a
rejected PIN) and reports its own health as `gsm:<line>`; so a modem that is
down at start is not a start failure here, and is not retried a second way.
"""

from __future__ import annotations

import asyncio
import logging

from appliance.config.sections.gsm_modems import ModemSettings
from appliance.gsm.driver import ModemDriver
from appliance.gsm.sms import SmsSink
from appliance.gsm.supervisor import ModemSupervisor
from appliance.ports.adapter import AdapterHealth
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.task_ending import finish_or_cancel

log = logging.getLogger("aspa.gsm")

STOP_TIMEOUT_S = 5.0


class GsmLineAdapter:
    """Starts a modem's line supervisor and stops it with the daemon."""

    def __init__(self, settings: ModemSettings, bus: EventBus, clock: Clock,
                 sms_sink: SmsSink | None = None) -> None:
        self.settings = settings
        self.name = settings.name
        # made here, so that parts wired after it (the call desk) can hold the driver
        self.driver = ModemDriver(settings, bus, clock=clock, sms_sink=sms_sink)
        self.line = ModemSupervisor(self.driver)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Try the modem once (so READY tells how it went), then keep it up in the background."""
        self.line = ModemSupervisor(self.driver)  # fresh: a stopped one does not run again
        if not await self.line.connect():
            log.warning("%s: modem not up at start (%s); retrying in the background",
                        self.name, self.line.detail or self.line.state)
        self._task = asyncio.create_task(self.line.run(), name=f"gsm-line:{self.name}")

    async def stop(self) -> None:
        """Stop the line: calls under way end as interrupted, the port is closed."""
        await self.line.stop()
        if self._task is not None:
            await finish_or_cancel(self._task, STOP_TIMEOUT_S)
            self._task = None

    def health(self) -> AdapterHealth:
        state, detail = self.line.state, self.line.detail
        return AdapterHealth(ok=state == "up", detail=f"{state}: {detail}" if detail else state)
