"""A dead baresip or a refused registration is reported, ends calls as interrupted, and heals."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from appliance.spine.events import CallEnded, CallOffered, HealthChanged, LineStatus
from appliance.voip.adapter import VoipLineAdapter
from tests.voip.conftest import BoxFactory, box_target
from tests.voip.event_log import EventLog
from tests.voip.sip_peers import LOOPBACK, Sipp


async def test_baresip_killed_mid_call(box: VoipLineAdapter, events: EventLog,
                                       sipps: list[Sipp], tmp_path: Path) -> None:
    caller = await Sipp("caller_waits.xml", tmp_path, target=box_target(box)).start()
    sipps.append(caller)
    offered = await events.wait_for(CallOffered)
    await box.line.answer(offered.call_id)
    first_pid = box.supervisor.process.pid if box.supervisor.process else None
    assert first_pid is not None
    os.kill(first_pid, signal.SIGKILL)
    ended = await events.wait_for(CallEnded, lambda e: e.call_id == offered.call_id)
    assert ended.outcome == "interrupted"
    down = await events.wait_for(HealthChanged, lambda e: not e.ok)
    assert down.part == "voip:voip0" and "baresip" in down.detail
    assert await events.wait_for(LineStatus, lambda e: not e.registered)
    # restarted with the same configuration: healthy again, a new process
    await events.wait_for(HealthChanged, lambda e: e.ok and e.at > down.at)
    assert box.supervisor.process is not None and box.supervisor.process.pid != first_pid
    assert box.supervisor.restarts == 1
    assert box.health().ok is True
    status = (box.work_dir / "status.json").read_text()
    assert '"restarts": 1' in status


@pytest.mark.parametrize("transport", ["udp", "tcp"])
async def test_registration_accepted(make_box: BoxFactory, events: EventLog, sipps: list[Sipp],
                                     tmp_path: Path, transport: str) -> None:
    registrar = await Sipp("registrar_accepts.xml", tmp_path, transport=transport).start()
    sipps.append(registrar)
    box = await make_box(registrar=f"{LOOPBACK}:{registrar.port}", transport=transport)
    status = await events.wait_for(LineStatus, lambda e: e.registered)
    assert status.detail == "registered"
    assert box.health().ok is True
    assert await registrar.finished() == 0, registrar.errors()


async def test_registration_refused_is_reported(make_box: BoxFactory, events: EventLog,
                                                sipps: list[Sipp], tmp_path: Path) -> None:
    registrar = await Sipp("registrar_refuses.xml", tmp_path).start()
    sipps.append(registrar)
    box = await make_box(registrar=f"{LOOPBACK}:{registrar.port}", password="secret")
    status = await events.wait_for(LineStatus, lambda e: "failed" in e.detail)
    assert status.registered is False
    assert "403" in status.detail
    down = await events.wait_for(HealthChanged, lambda e: not e.ok)
    assert "registration failed: 403" in down.detail  # baresip is restarted to try again
    assert box.health().ok is False
    assert "403" in (box.work_dir / "status.json").read_text()
    accounts = box.work_dir / "baresip" / "accounts"
    assert accounts.stat().st_mode & 0o077 == 0  # the password is for baresip's eyes only
