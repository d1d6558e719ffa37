"""The demo's customers at the simulated modem: callers (the exchange's demo callers) and texts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from appliance.demo.callers import DemoCallers, DemoPace
from appliance.gsm.simulator import SimulatedModem
from appliance.ports.adapter import AdapterHealth

log = logging.getLogger("aspa.demo")

FIRST_TEXT_AFTER_S = 1.0  # the first customer texts soon after start
TEXT_EVERY_S = 6.0
HEARD_KEPT_S = 600
# Callers come quicker than in an office, so a short demo shows the exchange at work.
DEMO_PACE = DemoPace(arrival_s=(2.0, 6.0), answer_after_s=(1.0, 3.0), talk_s=(5.0, 15.0),
                     give_up_after_s=(3.0, 10.0))

# (number, what they text) — the demo store knows the first three as customers
TEXTS = (
    ("+358503334444", "Thanks, the corrected invoice arrived."),
    ("+358401112222", "Hi, can we move Friday's delivery to 9:00?"),
    ("+358457778888", "Please call me back, my order number is 5531."),
    ("+358449990000", "Do you have a table for six tonight?"),
)


class DemoTraffic:
    """An input adapter for the demo: callers ring the line and customers text it."""

    name = "demo-traffic"

    def __init__(self, modem: SimulatedModem, *, pace: DemoPace = DEMO_PACE,
                 text_every_s: float = TEXT_EVERY_S, heard_file: Path | None = None) -> None:
        self._modem = modem
        self._heard_file = heard_file
        self._text_every_s = text_every_s
        self.callers = DemoCallers(modem, pace)
        self._tasks: list[asyncio.Task[None]] = []
        self.texts = 0

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._text(), name="demo-texts"),
                       asyncio.create_task(self.callers.run(), name="demo-callers")]

    async def _text(self) -> None:
        await asyncio.sleep(FIRST_TEXT_AFTER_S)
        while True:
            number, text = TEXTS[self.texts % len(TEXTS)]
            await self._modem.sms_arrives(number, text)
            self.texts += 1
            await asyncio.sleep(self._text_every_s)

    async def stop_input(self) -> None:
        """No more calls or texts."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def stop(self) -> None:
        await self.stop_input()
        if self._heard_file is not None:
            await asyncio.to_thread(self._save_heard, self._heard_file)

    def _save_heard(self, target: Path) -> None:
        """What the callers heard from the box (its last ten minutes), as a WAV to listen to."""
        from appliance.media.pcm import NARROW_BAND
        from appliance.media.prompt_import import write_wav

        heard = bytes(self._modem.caller.heard)[-NARROW_BAND.byte_count(HEARD_KEPT_S):]
        if heard:
            write_wav(target, heard, NARROW_BAND)
            log.info("what the demo's callers heard: %s", target)

    def health(self) -> AdapterHealth:
        return AdapterHealth(ok=bool(self._tasks),
                             detail=f"{self.callers.placed} calls and {self.texts} SMS played")
