"""The firmware's DeskUnit under CPython, with umqtt.simple, against the box on Mosquitto."""

from __future__ import annotations

import asyncio
from types import ModuleType

from tests.desk.box_daemon import eventually
from tests.desk.desk_broker import BOX, DeskBox, desk_box, unit_password
from tests.firmware.unit_driver import UnitDriver

__all__ = ["desk_box"]
GREEN, RED, OFF = (0, 1, 0), (1, 0, 0), (0, 0, 0)


def driver(desk_box: DeskBox, umqtt: ModuleType, unit: str = "desk-anna",
           password: str | None = None) -> UnitDriver:
    return UnitDriver(umqtt, desk_box.broker.host, desk_box.broker.port, BOX, unit,
                      password if password is not None else unit_password(unit))


async def test_a_unit_links_shows_its_agent_and_a_press_makes_it_available(
        desk_box: DeskBox, umqtt_simple: ModuleType) -> None:
    anna = driver(desk_box, umqtt_simple)
    await anna.run_until(lambda: anna.unit.state == "offline", "the retained state")
    assert anna.shown[-1] == OFF
    await eventually(lambda: desk_box.adapter.online.get("desk-anna") is True, "status online")

    await anna.press()
    await anna.run_until(lambda: anna.unit.state == "available", "available from the box")
    assert anna.shown[-1] == GREEN
    assert desk_box.agent_presence("anna") == "available"

    await anna.press(hold_ms=2100)
    await anna.run_until(lambda: anna.unit.state == "away", "away after a hold")
    assert desk_box.agent_presence("anna") == "away"
    assert anna.unit.sent == 2


async def test_the_units_last_will_tells_the_box_it_is_gone(
        desk_box: DeskBox, umqtt_simple: ModuleType) -> None:
    pekka = driver(desk_box, umqtt_simple, "desk-pekka")
    await pekka.run_until(lambda: pekka.unit.state is not None, "linked")
    await eventually(lambda: desk_box.adapter.online.get("desk-pekka") is True, "online")
    pekka.unit.client.sock.close()  # power cut: no DISCONNECT, so the broker sends the will
    await eventually(lambda: desk_box.adapter.online.get("desk-pekka") is False, "the will")


async def test_a_refused_unit_backs_off_and_a_restarted_broker_is_found_again(
        desk_box: DeskBox, umqtt_simple: ModuleType) -> None:
    wrong = driver(desk_box, umqtt_simple, password="not-it")
    wrong.step()
    assert not wrong.unit.linked and wrong.unit.retry_at == 1000
    assert "cannot reach the box: MQTTException(5)" in wrong.log[-1]  # CONNACK 5: not authorised

    anna = driver(desk_box, umqtt_simple)
    await anna.run_until(lambda: anna.unit.state == "offline", "linked")
    await asyncio.to_thread(desk_box.broker.stop)
    await anna.run_until(lambda: not anna.unit.linked, "noticing the broker is gone")
    await asyncio.to_thread(desk_box.broker.start)
    await anna.run_until(lambda: anna.unit.linked, "linking again after the backoff", within_s=10)
    assert anna.unit.backoff.failures == 0
