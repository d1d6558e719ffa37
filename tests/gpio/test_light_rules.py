"""The pure rules behind the LEDs and the button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appliance.gpio.desk_light import DeskLight, light_for
from appliance.gpio.status_lights import OFF, ON, Light, line_light, waiting_light
from appliance.presence.effective_state import EFFECTIVE_STATES, effective_state, state_of
from appliance.presence.gestures import Gesture, after_gesture
from appliance.presence.states import Activity, AgentState, Presence

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("state", "light"), [
    ("available", DeskLight.GREEN), ("busy", DeskLight.RED), ("on_call", DeskLight.RED),
    ("wrap_up", DeskLight.RED), ("ringing", DeskLight.BLINKING), ("away", DeskLight.OFF),
    ("offline", DeskLight.OFF), ("nonsense", DeskLight.OFF)])
def test_desk_light_for_each_state(state: str, light: DeskLight) -> None:
    assert light_for(state) is light


def test_every_effective_state_has_a_light_of_its_own_rule() -> None:
    assert {light_for(s) for s in EFFECTIVE_STATES} == set(DeskLight)


@pytest.mark.parametrize(("presence", "gesture", "after"), [
    (Presence.AVAILABLE, Gesture.PRESS, Presence.BUSY),
    (Presence.BUSY, Gesture.PRESS, Presence.AVAILABLE),
    (Presence.AWAY, Gesture.PRESS, Presence.AVAILABLE),
    (Presence.OFFLINE, Gesture.PRESS, Presence.AVAILABLE),
    (Presence.AVAILABLE, Gesture.HOLD, Presence.AWAY),
    (Presence.BUSY, Gesture.HOLD, Presence.AWAY),
    (Presence.AWAY, Gesture.HOLD, Presence.AVAILABLE)])
def test_gestures(presence: Presence, gesture: Gesture, after: Presence) -> None:
    state = AgentState(agent_id=1, presence=presence, pause_reason="missed offers: 3 in a row")
    new = after_gesture(state, gesture, NOW)
    assert new.presence is after
    assert new.pause_reason is None  # the agent's own choice clears a system pause
    assert new.changed_at == NOW


def test_a_press_in_wrap_up_ends_it_and_keeps_the_presence() -> None:
    state = AgentState(agent_id=1, presence=Presence.AVAILABLE, activity=Activity.WRAP_UP,
                       wrap_up_until=NOW + timedelta(seconds=30))
    new = after_gesture(state, Gesture.PRESS, NOW)
    assert (new.presence, new.activity) == (Presence.AVAILABLE, Activity.IDLE)


def test_effective_state_prefers_the_activity() -> None:
    assert effective_state("busy", "idle") == "busy"
    assert effective_state("available", "ringing") == "ringing"
    expired = AgentState(agent_id=1, presence=Presence.BUSY, activity=Activity.WRAP_UP,
                         wrap_up_until=NOW)
    assert state_of(expired, NOW) == "busy"
    assert state_of(expired, NOW - timedelta(seconds=1)) == "wrap_up"


def test_line_light() -> None:
    assert line_light(None, None) == OFF
    assert line_light(True, 20) == ON
    assert line_light(True, 99) == Light(True, 0.5)
    assert line_light(False, 25) == Light(True, 0.5)


def test_waiting_light_speeds_up_with_the_count_and_has_a_floor() -> None:
    assert waiting_light(0) == OFF
    rates = [waiting_light(n).blink_s for n in range(1, 8)]
    assert rates[:4] == [0.5, 0.25, 0.5 / 3, 0.125]
    assert rates[4:] == [0.1, 0.1, 0.1]
