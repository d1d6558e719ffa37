"""End to end: a desk unit's press over MQTT → the agent is busy → routing skips the agent →
the unit's LED turns red."""

from __future__ import annotations

from types import ModuleType

from appliance.presence.states import Presence
from appliance.presence.transitions import set_presence
from appliance.queue.call_routing import decide, start_routing
from appliance.queue.ring_group import RingGroup
from appliance.queue.ring_strategies import RingHistory, RingStrategy
from appliance.queue.routing_decisions import Ring
from tests.desk.desk_broker import BOX, DeskBox, desk_box, unit_password
from tests.firmware.unit_driver import UnitDriver

__all__ = ["desk_box"]
ANNA, PEKKA = 1, 2
GREEN, RED = (0, 1, 0), (1, 0, 0)


async def test_press_on_the_unit_makes_anna_busy_routing_skips_her_and_her_led_turns_red(
        desk_box: DeskBox, umqtt_simple: ModuleType) -> None:
    daemon = desk_box.daemon
    board = daemon.switchboard
    assert board is not None
    for agent_id in (ANNA, PEKKA):
        board.change_presence(agent_id, lambda s, now: set_presence(s, Presence.AVAILABLE, now),
                              source="web")
    group = RingGroup(name="tuki", members=(ANNA, PEKKA), strategy=RingStrategy.LINEAR)
    now = daemon.clock.now()
    before = decide(start_routing("call-1", group, now), board.agents(), RingHistory(), now)
    assert before.decision == Ring((ANNA,), group.ring_timeout_s)  # anna first while available

    unit = UnitDriver(umqtt_simple, desk_box.broker.host, desk_box.broker.port, BOX,
                      "desk-anna", unit_password("desk-anna"))
    await unit.run_until(lambda: unit.unit.state == "available", "anna's state on her unit")
    assert unit.shown[-1] == GREEN

    await unit.press()
    await unit.run_until(lambda: unit.unit.state == "busy", "busy back from the box")

    assert board.agents()[ANNA].presence is Presence.BUSY
    after = decide(start_routing("call-2", group, now), board.agents(), RingHistory(), now)
    assert after.decision == Ring((PEKKA,), group.ring_timeout_s)  # anna is skipped
    assert unit.shown[-1] == RED
    assert unit.unit.sent == 1 and desk_box.adapter.gestures == 1

