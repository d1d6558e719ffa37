"""MQTT fixtures: a store, a bus and an adapter factory wired to a Mosquitto of the test."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import peewee as pw
import pytest

from appliance.config.sections.mqtt import MqttSettings
from appliance.mqtt.adapter import MqttAdapter
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker
from tests.peers.mosquitto import MosquittoBroker

BOX = "box1"
WAIT_S = 10.0


class SleepGate:
    """An injected sleep: records each delay and returns only while the gate is open."""

    def __init__(self, open_: bool = True) -> None:
        self.delays: list[float] = []
        self.opened = asyncio.Event()
        self.called = asyncio.Event()
        if open_:
            self.opened.set()

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.called.set()
        await self.opened.wait()

    async def wait_calls(self, count: int, timeout_s: float = WAIT_S) -> None:
        """Wait (bounded) until the link has slept `count` times."""
        async with asyncio.timeout(timeout_s):
            while len(self.delays) < count:
                self.called.clear()
                await self.called.wait()


class NeverWakes:
    """An injected sleep for the ticker: tests call tick() themselves."""

    async def __call__(self, seconds: float) -> None:
        await asyncio.Event().wait()


async def connected(adapter: MqttAdapter, timeout_s: float = WAIT_S) -> None:
    """Wait (bounded) until the adapter's link has a session with the broker."""
    async with asyncio.timeout(timeout_s):
        await adapter.link.connected.wait()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StoreWorker]:
    """A fresh SQLite store and its thread."""
    db: pw.Database = open_store(str(tmp_path / "aspa.db"))
    db.close()
    worker = StoreWorker(db)
    try:
        yield worker
    finally:
        worker.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))


@pytest.fixture
async def bus() -> AsyncIterator[EventBus]:
    event_bus = EventBus()
    event_bus.start()
    try:
        yield event_bus
    finally:
        await event_bus.stop()


def mqtt_settings(broker: MosquittoBroker, **changes: Any) -> MqttSettings:
    """[mqtt] pointing at the test's broker."""
    return dataclasses.replace(MqttSettings(enabled=True, host=broker.host, port=broker.port),
                               **changes)


@pytest.fixture
async def make_adapter(store: StoreWorker, bus: EventBus,
                       clock: ManualClock) -> AsyncIterator[Any]:
    """Build (and at the end stop) MQTT adapters on the test's store, bus and clock."""
    adapters: list[MqttAdapter] = []

    def make(broker: MosquittoBroker, *, link_sleep: Any = None, board: Any = None,
             time_zone: str = "Europe/Helsinki", **changes: Any) -> MqttAdapter:
        adapter = MqttAdapter(mqtt_settings(broker, **changes), BOX, time_zone, bus=bus,
                              store=store, clock=clock, board=board, sleep=NeverWakes(),
                              link_sleep=link_sleep or SleepGate())
        adapters.append(adapter)
        return adapter

    try:
        yield make
    finally:
        for adapter in adapters:
            await adapter.stop()


async def receive(probe: Any, timeout_s: float = WAIT_S) -> Any:
    """The probe's next message, waited for off the event loop (the adapter needs the loop)."""
    return await asyncio.to_thread(probe.next_message, timeout_s)


async def receive_until(probe: Any, done: Any, timeout_s: float = WAIT_S) -> list[Any]:
    """Messages until done(messages) is true; TimeoutError when that takes too long."""
    got: list[Any] = []
    async with asyncio.timeout(timeout_s):
        while not done(got):
            got.append(await receive(probe, timeout_s))
    return got
