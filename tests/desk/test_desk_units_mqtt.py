"""The box's side of the desk-unit protocol against Mosquitto with Aspa's ACL."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from appliance.desk.adapter import DeskUnitsAdapter
from appliance.desk.broker_files import BOX_USER
from appliance.desk.mqtt_link import BrokerError
from tests.desk.box_daemon import eventually
from tests.desk.desk_broker import BOX, PREFIX, STRAY_UNIT, DeskBox, desk_box
from tests.peers.mqtt_probe import MqttConnectRefused, MqttProbe

__all__ = ["desk_box"]


def state_topic(unit: str) -> str:
    return f"{PREFIX}/desk/{unit}/state"


def button_topic(unit: str) -> str:
    return f"{PREFIX}/desk/{unit}/button"


async def next_payload(probe: MqttProbe, wait_s: float = 5.0) -> tuple[str, bytes, bool]:
    message = await asyncio.to_thread(probe.next_message, wait_s)
    return message.topic, bytes(message.payload), bool(message.retain)


async def test_each_unit_gets_its_agents_state_retained_and_a_press_changes_it(
        desk_box: DeskBox) -> None:
    anna = await asyncio.to_thread(desk_box.unit, "desk-anna")
    try:
        await asyncio.to_thread(anna.subscribe, state_topic("desk-anna"))
        assert await next_payload(anna) == (state_topic("desk-anna"), b"offline", True)

        await asyncio.to_thread(anna.publish, button_topic("desk-anna"), "press", 1)
        assert await next_payload(anna) == (state_topic("desk-anna"), b"available", False)
        assert desk_box.agent_presence("anna") == "available"

        await asyncio.to_thread(anna.publish, button_topic("desk-anna"), "press", 1)
        assert (await next_payload(anna))[1] == b"busy"
        await asyncio.to_thread(anna.publish, button_topic("desk-anna"), "hold", 1)
        assert (await next_payload(anna))[1] == b"away"
        assert desk_box.agent_presence("pekka") == "offline"
        assert desk_box.adapter.gestures == 3
    finally:
        anna.close()
    # A unit that comes back later finds its agent's state retained.
    again = await asyncio.to_thread(desk_box.unit, "desk-anna")
    try:
        await asyncio.to_thread(again.subscribe, state_topic("desk-anna"))
        assert await next_payload(again) == (state_topic("desk-anna"), b"away", True)
    finally:
        again.close()


async def test_a_unit_cannot_press_another_units_button(desk_box: DeskBox) -> None:
    anna = await asyncio.to_thread(desk_box.unit, "desk-anna")
    try:
        await asyncio.to_thread(anna.publish, button_topic("desk-pekka"), "press", 1)
        # Its own press after the forged one: once this lands, the forged one would have too.
        await asyncio.to_thread(anna.publish, button_topic("desk-anna"), "press", 1)
        await eventually(lambda: desk_box.adapter.gestures == 1, "anna's own press")
    finally:
        anna.close()
    assert desk_box.agent_presence("pekka") == "offline"
    assert desk_box.agent_presence("anna") == "available"
    # The broker refused it: the box never saw it.
    assert sum(desk_box.adapter.ignored.values()) == 0
    assert "Denied PUBLISH from desk-anna" in desk_box.broker.log_text()


async def test_a_unit_reads_only_its_own_state(desk_box: DeskBox) -> None:
    anna = await asyncio.to_thread(desk_box.unit, "desk-anna")
    try:
        await asyncio.to_thread(anna.subscribe, state_topic("desk-pekka"))
        await asyncio.to_thread(anna.subscribe, state_topic("desk-anna"))
        assert await next_payload(anna) == (state_topic("desk-anna"), b"offline", True)
        with pytest.raises(TimeoutError):
            await next_payload(anna, wait_s=0.3)
    finally:
        anna.close()


async def test_a_unit_the_box_does_not_know_is_ignored_logged_and_counted(
        desk_box: DeskBox, caplog: pytest.LogCaptureFixture) -> None:
    stray = await asyncio.to_thread(desk_box.unit, STRAY_UNIT)
    try:
        await asyncio.to_thread(stray.publish, button_topic(STRAY_UNIT), "press", 1)
        await eventually(lambda: desk_box.adapter.ignored["unknown unit"] == 1, "the count")
    finally:
        stray.close()
    assert f"desk message ignored (unknown unit): {button_topic(STRAY_UNIT)}" in caplog.text
    assert desk_box.adapter.gestures == 0


async def test_malformed_payloads_are_ignored_logged_and_counted(
        desk_box: DeskBox, caplog: pytest.LogCaptureFixture) -> None:
    bad = [b"PRESS", b"press\n", b"p" * 17, b"\xff\xfe", b"", b"hold please"]
    anna = await asyncio.to_thread(desk_box.unit, "desk-anna")
    try:
        for payload in bad:
            await asyncio.to_thread(anna.publish, button_topic("desk-anna"), payload, 1)
        await asyncio.to_thread(anna.publish, f"{PREFIX}/desk/desk-anna/status", "dancing", 1)
        await eventually(lambda: desk_box.adapter.ignored["malformed"] == len(bad) + 1,
                         "every malformed payload counted")
    finally:
        anna.close()
    assert desk_box.agent_presence("anna") == "offline"
    assert desk_box.adapter.gestures == 0
    assert "b'ppppp" in caplog.text


async def test_unit_status_and_its_last_will(desk_box: DeskBox) -> None:
    probe = MqttProbe(desk_box.broker.host, desk_box.broker.port, client_id="desk-pekka",
                      username="desk-pekka", password="desk-pekka-pw")
    probe.client.will_set(f"{PREFIX}/desk/desk-pekka/status", "offline", qos=1, retain=True)
    await asyncio.to_thread(probe.connect)
    await asyncio.to_thread(probe.publish, f"{PREFIX}/desk/desk-pekka/status", "online", 1, True)
    await eventually(lambda: desk_box.adapter.online.get("desk-pekka") is True, "pekka online")
    assert desk_box.adapter.health().detail == "1/2 desk units online"
    # Drop the connection without DISCONNECT: the broker publishes the will (MQTT 3.1.1 §3.1.2.5).
    sock = probe.client.socket()
    assert sock is not None
    sock.close()
    probe.client.loop_stop()
    await eventually(lambda: desk_box.adapter.online.get("desk-pekka") is False,
                     "the will telling pekka's unit is offline")


async def test_units_without_an_account_or_with_a_wrong_password_cannot_connect(
        desk_box: DeskBox) -> None:
    with pytest.raises(MqttConnectRefused):
        await asyncio.to_thread(desk_box.unit, "desk-nobody", "guess")
    with pytest.raises(MqttConnectRefused):
        await asyncio.to_thread(desk_box.unit, "desk-anna", "wrong")
    with pytest.raises(MqttConnectRefused):
        await asyncio.to_thread(desk_box.unit, BOX_USER, "wrong")


async def test_the_box_refused_by_the_broker_says_what_to_fix(desk_box: DeskBox) -> None:
    config = desk_box.daemon.config
    wrong = dataclasses.replace(config.mqtt, password="not-the-box-password")
    daemon = desk_box.daemon
    assert daemon.switchboard is not None
    adapter = DeskUnitsAdapter(wrong, BOX, config.desk_units, daemon.switchboard,
                               bus=daemon.bus, clock=daemon.clock)
    with pytest.raises(BrokerError, match=r"refused the box: Not authorized; check mqtt\.username"):
        await adapter.start()
    await adapter.stop()
    assert not adapter.health().ok
