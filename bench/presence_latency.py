"""Benchmark: desk button press → presence event → LED change, on gpiozero's mock pins.

A real daemon (SQLite in a temporary folder) with the GPIO adapter on mock
pins: each of N presses drives the button pin low and high (the press counts
on release), and the clock stops when the desk's red LED pin changes. The path
is the product's: gpiozero's callback → the asyncio loop → the presence rule →
PresenceChanged on the bus → the adapter's LED. The anchor, measured in the
same run, is one bare bus round trip (publish → a subscriber's handler).

Run from the repository root: .venv/bin/python -m bench.presence_latency [--presses N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from gpiozero.pins.mock import MockFactory

from appliance.config.aspa_toml import config_from_mapping
from appliance.config.sections.gpio import DeskPinSettings, GpioSettings
from appliance.gpio.adapter import GpioAdapter
from appliance.runtime.daemon import Daemon
from appliance.runtime.systemd_notify import SystemdNotifier
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.spine.events import PresenceChanged
from appliance.store.agent_roster import sync_agents
from appliance.store.startup import open_store
from bench.results import Row, record

GOAL_MEDIAN_MS = 20.0
BUTTON, GREEN, RED = 17, 27, 22
SETTINGS = GpioSettings(enabled=True, bounce_ms=0, desks=[
    DeskPinSettings(agent="anna", button_pin=BUTTON, green_pin=GREEN, red_pin=RED)])


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def bus_round_trips(count: int) -> list[float]:
    """The anchor: publish one event and wait until a subscriber has handled it."""
    bus = EventBus()
    handled = asyncio.Event()
    bus.subscribe("anchor", lambda event: handled.set(), (PresenceChanged,))
    bus.start()
    now = datetime.now(UTC)
    samples = []
    for _ in range(count):
        handled.clear()
        start = time.perf_counter()
        bus.publish(PresenceChanged(at=now, agent_id=1, presence="busy", activity="idle"))
        await handled.wait()
        samples.append(time.perf_counter() - start)
    await bus.stop()
    return samples


async def press_to_led(presses: int, folder: Path) -> list[float]:
    """Press anna's button `presses` times; the time from release to her red LED changing."""
    config = config_from_mapping({
        "data_dir": str(folder), "web": {"enabled": False},
        "agents": [{"login": "anna", "name": "Anna"}]}, folder)
    db = open_store(config.database_url)
    sync_agents(db, config.agents)
    db.close()
    daemon = Daemon(config, clock=SystemClock(), notifier=SystemdNotifier(None))
    await daemon.start()
    factory = MockFactory()
    board = daemon.switchboard
    assert board is not None
    adapter = GpioAdapter(SETTINGS, board, board, bus=daemon.bus, clock=daemon.clock,
                          factory=factory)
    await adapter.start()
    button, red, green = factory.pin(BUTTON), factory.pin(RED), factory.pin(GREEN)
    samples = []
    try:
        for _ in range(presses):
            before = (red.state, green.state)
            button.drive_low()
            start = time.perf_counter()
            button.drive_high()
            while (red.state, green.state) == before:
                await asyncio.sleep(0)
                if time.perf_counter() - start > 5:
                    raise RuntimeError("the LED did not change within 5 s of a press")
            samples.append(time.perf_counter() - start)
    finally:
        await adapter.stop()
        await daemon.stop()
        factory.reset()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=1000)
    args = parser.parse_args()
    anchor = asyncio.run(bus_round_trips(args.presses))
    with tempfile.TemporaryDirectory() as folder:
        latency = asyncio.run(press_to_led(args.presses, Path(folder)))
    anchor_ms = statistics.median(anchor) * 1000
    median_ms = statistics.median(latency) * 1000
    p99_ms = percentile(latency, 0.99) * 1000
    print(f"presence_latency: {args.presses:,} presses on mock pins")
    print(f"  {'anchor: bus publish → handler':<34} median {anchor_ms * 1000:8.1f} µs")
    print(f"  {'press → presence → LED':<34} median {median_ms * 1000:8.1f} µs   "
          f"p99 {p99_ms * 1000:8.1f} µs   median/anchor {median_ms / anchor_ms:6.1f}")
    verdict = "met" if median_ms <= GOAL_MEDIAN_MS else "NOT met"
    print(f"  goal: median ≤ {GOAL_MEDIAN_MS:.0f} ms: {verdict} ({median_ms:.2f} ms)")
    record([Row("desk button -> presence -> LED median", f"<= {GOAL_MEDIAN_MS:.0f} ms",
                f"bus round trip {anchor_ms * 1000:.1f} µs", f"{median_ms:.2f} ms",
                median_ms / anchor_ms, median_ms <= GOAL_MEDIAN_MS)])


if __name__ == "__main__":
    main()
