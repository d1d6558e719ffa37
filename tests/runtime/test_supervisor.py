"""Adapters that fail to start are reported and retried with backoff; the rest go on."""

from __future__ import annotations

import asyncio
import socket

from appliance.ports.adapter import AdapterHealth
from appliance.runtime.supervisor import AdapterSupervisor
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import Event, HealthChanged


class TcpPeerAdapter:
    """An adapter whose start is a real TCP connection, refused while nobody listens."""

    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.port = port
        self.writer: asyncio.StreamWriter | None = None
        self.stopped = 0

    async def start(self) -> None:
        _, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def stop(self) -> None:
        self.stopped += 1
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
            self.writer = None

    def health(self) -> AdapterHealth:
        return AdapterHealth(ok=self.writer is not None, detail=f"connected to {self.port}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RetryGate:
    """An injected sleep: records each backoff delay and waits until the test lets it go."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.waiting = asyncio.Event()
        self._go = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.waiting.set()
        await self._go.wait()
        self._go.clear()

    async def release(self) -> None:
        self.waiting.clear()
        self._go.set()
        await asyncio.wait_for(self.waiting.wait(), 5)


async def test_a_failing_adapter_is_reported_retried_and_does_not_stop_the_others() -> None:
    bus = EventBus()
    health_events: list[HealthChanged] = []
    got_ok = asyncio.Event()

    def record(event: Event) -> None:
        assert isinstance(event, HealthChanged)
        health_events.append(event)
        if event.ok and event.part == "peer":
            got_ok.set()

    bus.subscribe("health", record, [HealthChanged])
    bus.start()

    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    good = TcpPeerAdapter("good", server.sockets[0].getsockname()[1])
    down_port = free_port()
    peer = TcpPeerAdapter("peer", down_port)
    gate = RetryGate()
    supervisor = AdapterSupervisor(bus, ManualClock(), first_retry=1.0, max_retry=4.0, sleep=gate)
    supervisor.add(good)
    supervisor.add(peer)

    await asyncio.wait_for(supervisor.start_all(), 5)
    await asyncio.wait_for(gate.waiting.wait(), 5)
    health = supervisor.health()
    assert health["good"].ok
    assert not health["peer"].ok
    assert health["peer"].detail.startswith("not started: ")

    for _ in range(3):
        await gate.release()
    assert gate.delays == [1.0, 2.0, 4.0, 4.0]  # doubling, capped at max_retry

    late_server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", down_port)
    gate._go.set()
    await asyncio.wait_for(got_ok.wait(), 5)
    await bus.drain()
    assert supervisor.health()["peer"] == AdapterHealth(ok=True, detail=f"connected to {down_port}")

    failures = [e for e in health_events if e.part == "peer" and not e.ok]
    assert len(failures) == 4
    assert all(e.detail for e in failures)
    assert [e.part for e in health_events if e.ok] == ["good", "peer"]
    # each failed attempt was cleaned up with stop() before the retry
    assert peer.stopped == 4

    await supervisor.stop_all()
    assert good.writer is None and peer.writer is None
    await bus.stop()
    for srv in (server, late_server):
        srv.close()
        await srv.wait_closed()


async def test_stop_all_cancels_a_pending_retry() -> None:
    bus = EventBus()
    bus.start()
    gate = RetryGate()
    peer = TcpPeerAdapter("peer", free_port())
    supervisor = AdapterSupervisor(bus, ManualClock(), sleep=gate)
    supervisor.add(peer)
    await supervisor.start_all()
    await asyncio.wait_for(gate.waiting.wait(), 5)
    await asyncio.wait_for(supervisor.stop_all(), 5)
    assert gate.delays == [1.0]
    assert supervisor.health()["peer"].detail.startswith("not started: ")
    await bus.stop()


def test_two_adapters_with_one_name_are_refused() -> None:
    supervisor = AdapterSupervisor(EventBus(), ManualClock())
    supervisor.add(TcpPeerAdapter("gsm0", 1))
    try:
        supervisor.add(TcpPeerAdapter("gsm0", 2))
    except ValueError as error:
        assert "gsm0" in str(error)
    else:
        raise AssertionError("a second adapter named gsm0 was accepted")


async def test_replace_restarts_only_the_named_parts_in_their_place() -> None:
    bus = EventBus()
    bus.start()
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    first, mail, last = (TcpPeerAdapter(n, port) for n in ("first", "mail", "last"))
    gate = RetryGate()
    supervisor = AdapterSupervisor(bus, ManualClock(), sleep=gate)
    for adapter in (first, mail, last):
        supervisor.add(adapter)
    try:
        await supervisor.start_all()
        new_mail = TcpPeerAdapter("mail", port)
        down = TcpPeerAdapter("mail-outbox", free_port())  # its server is not up yet
        await supervisor.replace(["mail", "mail-outbox"], [new_mail, down])
        assert [a.name for a in supervisor.adapters] == ["first", "mail", "mail-outbox", "last"]
        assert supervisor.named("mail") is new_mail and mail.stopped == 1
        assert first.stopped == 0 and last.stopped == 0 and first.writer is not None
        health = supervisor.health()
        assert health["mail"].ok and not health["mail-outbox"].ok  # retried like at start
        assert gate.delays == [1.0]
        await supervisor.replace(["mail-outbox"], [])  # switched off: stopped and gone
        assert supervisor.named("mail-outbox") is None
        await supervisor.restart("last")
        assert last.stopped == 1 and last.writer is not None
    finally:
        await supervisor.stop_all()
        server.close()
        await server.wait_closed()
        await bus.stop()
