"""The VoIP line under test: a real baresip from Aspa's config on loopback, and its bus."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from appliance.config.sections.voip import VoipSettings
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.voip.adapter import VoipLineAdapter
from tests.peers.binaries import require
from tests.voip.event_log import EventLog
from tests.voip.sip_peers import BARESIP, LOOPBACK, Sipp, free_sip_port, rtp_range

BoxFactory = Callable[..., Awaitable[VoipLineAdapter]]


def loopback_settings(**overrides: Any) -> VoipSettings:
    """A line that takes SIP on a free loopback port and keeps its RTP in a range of its own."""
    rtp_min, rtp_max = rtp_range()
    settings = VoipSettings(enabled=True, listen_address=LOOPBACK, sip_port=free_sip_port(),
                            rtp_port_min=rtp_min, rtp_port_max=rtp_max,
                            baresip=str(require(BARESIP)))
    return replace(settings, **overrides)


@pytest.fixture
async def bus() -> AsyncIterator[EventBus]:
    bus = EventBus()
    bus.start()
    yield bus
    await bus.stop()


@pytest.fixture
async def events(bus: EventBus) -> EventLog:
    return EventLog(bus)


@pytest.fixture
async def make_box(bus: EventBus, events: EventLog, tmp_path: Path) -> AsyncIterator[BoxFactory]:
    """Start VoIP lines (each stopped at the end, even when the test failed)."""
    started: list[VoipLineAdapter] = []

    async def make(**overrides: Any) -> VoipLineAdapter:
        settings = loopback_settings(**overrides)
        adapter = VoipLineAdapter(settings, bus, SystemClock(), tmp_path / "voip")
        started.append(adapter)
        await adapter.start()
        return adapter

    yield make
    for adapter in reversed(started):
        await adapter.stop()


@pytest.fixture
async def box(make_box: BoxFactory) -> VoipLineAdapter:
    """A line that does not register (calls come straight to its port)."""
    return await make_box()


@pytest.fixture
async def sipps(tmp_path: Path) -> AsyncIterator[list[Sipp]]:
    """sipp runs a test starts; killed at the end if still running."""
    runs: list[Sipp] = []
    yield runs
    for run in runs:
        await run.stop()


def box_target(box: VoipLineAdapter) -> str:
    """Where a caller sends its INVITE: the box's SIP port."""
    return f"{LOOPBACK}:{box.settings.sip_port}"
