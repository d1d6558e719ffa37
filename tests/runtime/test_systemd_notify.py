"""The notify protocol against a real datagram socket playing systemd."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.runtime.systemd_notify import SystemdNotifier, feed_watchdog, watchdog_timeout
from tests.systemd_listener import NotifyListener


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[NotifyListener]:
    listener = NotifyListener.in_dir(tmp_path)
    yield listener
    listener.close()


async def test_ready_status_and_stopping_reach_the_socket(systemd: NotifyListener) -> None:
    notifier = SystemdNotifier.from_environment({"NOTIFY_SOCKET": systemd.address})
    assert notifier.ready("queue loaded: 3 open")
    ready = await systemd.next()
    assert ready["READY"] == "1"
    assert ready["MAINPID"] == str(os.getpid())
    assert ready["STATUS"] == "queue loaded: 3 open"
    notifier.status("two\nlines")
    assert await systemd.next() == {"STATUS": "two lines"}
    notifier.stopping()
    assert await systemd.next() == {"STOPPING": "1"}
    notifier.close()


async def test_abstract_namespace_address() -> None:
    listener = NotifyListener.abstract()
    try:
        notifier = SystemdNotifier(listener.address)
        assert notifier.watchdog()
        assert await listener.next() == {"WATCHDOG": "1"}
        notifier.close()
    finally:
        listener.close()


def test_without_notify_socket_nothing_is_sent() -> None:
    notifier = SystemdNotifier.from_environment({})
    assert not notifier.enabled
    assert notifier.ready() is False


def test_a_missing_socket_is_reported_not_raised(tmp_path: Path) -> None:
    notifier = SystemdNotifier(str(tmp_path / "gone.sock"))
    assert notifier.ready() is False
    notifier.close()


def test_watchdog_timeout_follows_sd_watchdog_enabled() -> None:
    assert watchdog_timeout({}) is None
    assert watchdog_timeout({"WATCHDOG_USEC": "3000000"}) == 3.0
    assert watchdog_timeout({"WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "42"}, pid=42) == 3.0
    assert watchdog_timeout({"WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "41"}, pid=42) is None
    assert watchdog_timeout({"WATCHDOG_USEC": "soon"}) is None
    assert watchdog_timeout({"WATCHDOG_USEC": "0"}) is None


async def test_watchdog_pings_every_half_interval(systemd: NotifyListener) -> None:
    # The sleeps are injected: that the loop wakes on time is the machine's business (a busy
    # one wakes it late), that each ping is followed by a wait of half the timeout is ours.
    timeout = watchdog_timeout({"WATCHDOG_USEC": "200000"})
    assert timeout == 0.2
    notifier = SystemdNotifier(systemd.address)
    waits: list[float] = []

    async def one_round(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 6:
            raise asyncio.CancelledError
        await asyncio.sleep(0)

    try:
        with contextlib.suppress(asyncio.CancelledError):
            await feed_watchdog(notifier, timeout, lambda: True, sleep=one_round)
        for _ in range(6):
            assert await systemd.next(within=10) == {"WATCHDOG": "1"}
    finally:
        notifier.close()
    assert waits == [0.1] * 6  # half the timeout after every ping


async def test_an_unhealthy_daemon_is_not_pinged(systemd: NotifyListener) -> None:
    notifier = SystemdNotifier(systemd.address)
    healthy = False
    rounds = 0

    async def one_round(_seconds: float) -> None:
        nonlocal healthy, rounds
        rounds += 1
        if rounds == 3:
            healthy = True  # the daemon recovers: pings resume
        if rounds == 5:
            raise asyncio.CancelledError
        await asyncio.sleep(0)

    with contextlib.suppress(asyncio.CancelledError):
        await feed_watchdog(notifier, 1.0, lambda: healthy, sleep=one_round)
    notifier.close()
    pings = []
    with contextlib.suppress(BlockingIOError):
        while True:
            pings.append(systemd.sock.recv(100))
    # rounds 1-3 unhealthy (no ping), rounds 4 and 5 healthy
    assert pings == [b"WATCHDOG=1", b"WATCHDOG=1"]
