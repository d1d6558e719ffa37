"""A simulated modem on a pty with the real channel and driver attached, for the GSM tests."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from appliance.config.sections.gsm_modems import ModemSettings
from appliance.gsm.at_channel import AtChannel
from appliance.gsm.driver import ModemDriver
from appliance.gsm.simulator import SimulatedModem, create_simulator
from appliance.gsm.transport import open_port
from appliance.ports.sms_inbox import SmsSink
from appliance.spine.bus import EventBus
from appliance.spine.events import Event

E = TypeVar("E", bound=Event)
ALL_MODELS = ("sim7600", "sim800", "ec25", "generic")
FAST = {"clcc_poll_seconds": 0.05, "clip_wait_seconds": 0.05, "health_check_seconds": 0.2,
        "command_timeout_seconds": 0.5}


class EventLog:
    """Every event published on a bus, with a way to wait for one."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()
        bus.subscribe("test-log", self._take)

    def _take(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, kind: type[E], match: Callable[[E], bool] = lambda e: True,
                       within: float = 3.0) -> E:
        """The first event of `kind` matching `match`, waiting up to `within` seconds."""
        async with asyncio.timeout(within):
            while True:
                for event in self.of(kind):
                    if match(event):
                        return event
                self._changed.clear()
                await self._changed.wait()


@dataclass
class Line:
    """A running simulated line."""

    sim: SimulatedModem
    driver: ModemDriver
    channel: AtChannel
    bus: EventBus
    log: EventLog
    stored_sms: list[Any] = field(default_factory=list)


def fast_settings(path: str, **overrides: Any) -> ModemSettings:
    values: dict[str, Any] = {"name": "gsm0", "device": path, **FAST}
    values.update(overrides)
    return dataclasses.replace(ModemSettings(), **values)


async def open_line(tmp_path: Path, sim_model: str, *, prepare: Callable[[SimulatedModem], None]
                    | None = None, sms_sink: SmsSink | None = None,
                    ring_interval: float | None = None,
                    **settings: Any) -> Line:
    """Start a simulator of `sim_model`, open its pty and attach a driver."""
    sim = create_simulator(sim_model, tmp_path, "gsm-modem", ring_interval=ring_interval,
                           prompt_seconds=0.02)
    await sim.start()
    if prepare is not None:
        prepare(sim)
    bus = EventBus()
    log = EventLog(bus)
    bus.start()
    reader, writer = await open_port(sim.path)
    channel = AtChannel(reader, writer, name="gsm0", default_timeout=2.0,
                        busy_backoff=(0.0, 0.0, 0.0))
    driver = ModemDriver(fast_settings(sim.path, **settings), bus, sms_sink=sms_sink)
    line = Line(sim, driver, channel, bus, log)
    await driver.attach(channel)
    return line


async def close_line(line: Line) -> None:
    line.driver.detach("test over")
    await line.channel.close()
    await line.sim.stop()
    await line.bus.stop()


async def eventually(check: Callable[[], bool | Awaitable[bool]], within: float = 3.0) -> None:
    """Wait until `check()` is true (polling the loop, not the clock)."""
    async with asyncio.timeout(within):
        while True:
            result = check()
            if isinstance(result, Awaitable):
                result = await result
            if result:
                return
            await asyncio.sleep(0.01)
