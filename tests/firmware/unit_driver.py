"""Drive the firmware's DeskUnit under CPython with an injected millisecond clock."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

STEP_MS = 5  # the firmware's main loop period
WAIT_S = 5.0


class UnitDriver:
    """A DeskUnit linked through umqtt.simple, stepped by the test; the LED colours it showed."""

    def __init__(self, umqtt: ModuleType, host: str, port: int, box: str, unit: str,
                 password: str) -> None:
        from desk_config import parse_config
        from desk_unit import DeskUnit

        config = parse_config(json.dumps({
            "wifi_ssid": "office", "wifi_password": "-", "broker": host, "port": port,
            "box": box, "unit": unit, "password": password}))
        self.shown: list[tuple[int, int, int]] = []
        self.log: list[str] = []
        self.now_ms = 0

        def make_client() -> Any:
            return umqtt.MQTTClient(unit, host, port=port, user=unit, password=password,
                                    keepalive=30)

        self.unit = DeskUnit(config, make_client, self.shown.append, log=self.log.append)
        self.button_down = False

    def step(self) -> None:
        self.unit.step(self.now_ms, self.button_down)
        self.now_ms += STEP_MS

    async def run_until(self, done: Callable[[], bool], what: str, within_s: float = WAIT_S,
                        ) -> None:
        """Step the unit (letting the box's loop run between steps) until `done()`."""
        deadline = time.monotonic() + within_s
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; unit log: {self.log}")
            self.step()
            await asyncio.sleep(0.001)

    async def press(self, hold_ms: int = 100) -> None:
        """Push the button for `hold_ms` of unit time, then let go long enough to debounce."""
        self.button_down = True
        for _ in range(hold_ms // STEP_MS):
            self.step()
            await asyncio.sleep(0)
        self.button_down = False
        for _ in range(60 // STEP_MS):
            self.step()
            await asyncio.sleep(0)
