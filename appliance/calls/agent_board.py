"""The agents' states as the call desk reads and changes them; every change goes on the bus.

The same PresenceChanged events drive the web page, the LEDs and MQTT, so
they all agree with routing about who is ringing, on a call or in wrap-up.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from appliance.presence.states import AgentState
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.events import AgentPaused, PresenceChanged

ROUTING_SOURCE = "routing"


class AgentBoard:
    """A shared map of agent states (the daemon's), changed by routing with an event each."""

    def __init__(
        self, states: MutableMapping[int, AgentState], bus: EventBus, clock: Clock
    ) -> None:
        self.states = states
        self.bus = bus
        self.clock = clock

    def snapshot(self) -> dict[int, AgentState]:
        """A copy of every agent's state now."""
        return dict(self.states)

    def apply(self, changed: Mapping[int, AgentState], paused: tuple[int, ...] = ()) -> None:
        """Store new states; publish PresenceChanged for each, AgentPaused for the paused."""
        now = self.clock.now()
        for agent_id, state in changed.items():
            old = self.states.get(agent_id)
            self.states[agent_id] = state
            if old is not None and (old.presence, old.activity) == (
                state.presence, state.activity
            ):
                continue
            self.bus.publish(PresenceChanged(
                at=now, agent_id=agent_id, presence=state.presence.value,
                activity=state.activity.value, source=ROUTING_SOURCE))
        for agent_id in paused:
            reason = self.states[agent_id].pause_reason or "missed offers"
            self.bus.publish(AgentPaused(at=now, agent_id=agent_id, reason=reason))
