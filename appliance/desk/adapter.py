"""Desk units over MQTT, the box's side: buttons in, the agent's effective state out (retained).

A unit publishes `press`/`hold` on aspa/<box>/desk/<unit>/button; the broker's ACL
lets it publish only under its own user name, so the unit in the topic is the
one that logged in. The box maps the unit to its paired agent and publishes that
agent's effective state, retained, on .../<unit>/state. Anything else is ignored,
logged and counted.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from appliance.config.sections.desk_units import DeskUnitSettings
from appliance.config.sections.mqtt import MqttSettings
from appliance.desk.mqtt_link import MqttLink
from appliance.desk.topics import (
    BUTTON,
    NOTICE,
    STATE,
    STATUS,
    box_prefix,
    parse_unit_topic,
    unit_filter,
    unit_topic,
)
from appliance.desk.unit_messages import parse_button, parse_status
from appliance.ports.adapter import AdapterHealth
from appliance.ports.presence import PresencePort
from appliance.presence.effective_state import effective_state, state_of
from appliance.presence.gestures import after_gesture
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.clock import Clock
from appliance.spine.events import AgentNotified, Event, PresenceChanged

log = logging.getLogger("aspa.desk")

_SHOWN_PAYLOAD = 32  # bytes of a refused payload quoted in the log
NOTICE_PATTERN = "blink:3"  # three slow blinks: a notice waits (not the ringing blink)


class DeskUnitsAdapter:
    """Every [[desk_units]] entry, over the box's broker."""

    def __init__(self, mqtt: MqttSettings, box_id: str, units: Sequence[DeskUnitSettings],
                 presence: PresencePort, *, bus: EventBus, clock: Clock) -> None:
        self._presence = presence
        self._bus = bus
        self._clock = clock
        self.prefix = box_prefix(mqtt.topic_prefix, box_id)
        self._agent_of = {unit.id: unit.agent for unit in units}
        self.link = MqttLink(f"{box_id}-desk-units", mqtt.host, mqtt.port,
                             username=mqtt.username, password=mqtt.password, tls=mqtt.tls)
        self.link.on_message = self._on_message
        self.link.on_connected = self._on_connected
        self._subscription: Subscription | None = None
        self.online: dict[str, bool] = {}
        self.ignored: Counter[str] = Counter()
        self.gestures = 0

    @property
    def name(self) -> str:
        return "desk-units"

    async def start(self) -> None:
        """Read the agents, connect, publish every unit's state and listen."""
        for unit, login in self._agent_of.items():
            if self._presence.agent_id(login) is None:
                log.warning("desk unit %s: no active agent %r; it shows offline", unit, login)
        await self.link.connect()
        self._subscription = self._bus.subscribe(
            "desk-units", self._on_event, (PresenceChanged, AgentNotified))

    def _on_connected(self) -> None:
        """After every (re)connect: subscribe, and publish each unit's state."""
        self.link.subscribe(unit_filter(self.prefix, BUTTON), qos=1)
        self.link.subscribe(unit_filter(self.prefix, STATUS), qos=1)
        for unit, login in self._agent_of.items():
            self._publish_state(unit, self._state(login))
        log.info("desk units: connected to %s:%d, %d units", self.link.host, self.link.port,
                 len(self._agent_of))

    def _state(self, login: str) -> str:
        """The effective state of the unit's agent now; an unknown agent shows offline."""
        agent_id = self._presence.agent_id(login)
        agent = self._presence.agent(agent_id) if agent_id is not None else None
        return state_of(agent, self._clock.now()) if agent is not None else "offline"

    def _publish_state(self, unit: str, state: str) -> None:
        self.link.publish(unit_topic(self.prefix, unit, STATE), state, retain=True, qos=1)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, AgentNotified) and event.way == "led":
            for unit, login in self._agent_of.items():
                if self._presence.agent_id(login) == event.agent_id:
                    self.link.publish(unit_topic(self.prefix, unit, NOTICE), NOTICE_PATTERN,
                                      retain=False, qos=1)
            return
        if not isinstance(event, PresenceChanged) or event.agent_id is None:
            return
        state = effective_state(event.presence, event.activity)
        for unit, login in self._agent_of.items():
            if self._presence.agent_id(login) == event.agent_id:
                self._publish_state(unit, state)

    def _on_message(self, topic: str, payload: bytes) -> None:
        """One message from a unit, on the loop."""
        parsed = parse_unit_topic(self.prefix, topic)
        if parsed is None:
            self._ignore("topic", topic, payload)
            return
        unit, leaf = parsed
        login = self._agent_of.get(unit)
        if login is None:
            self._ignore("unknown unit", topic, payload)
            return
        if leaf == STATUS:
            online = parse_status(payload)
            if online is None:
                self._ignore("malformed", topic, payload)
            else:
                self.online[unit] = online
                log.info("desk unit %s is %s", unit, "online" if online else "offline")
            return
        gesture = parse_button(payload)
        if gesture is None:
            self._ignore("malformed", topic, payload)
            return
        agent_id = self._presence.agent_id(login)
        if agent_id is None or self._presence.change_presence(
                agent_id, lambda state, now: after_gesture(state, gesture, now),
                source="desk-unit") is None:
            self._ignore("unknown agent", topic, payload)
            return
        self.gestures += 1

    def _ignore(self, reason: str, topic: str, payload: bytes) -> None:
        self.ignored[reason] += 1
        log.warning("desk message ignored (%s): %s %r%s", reason, topic,
                    payload[:_SHOWN_PAYLOAD], "..." if len(payload) > _SHOWN_PAYLOAD else "")

    async def stop(self) -> None:
        """Stop listening and disconnect; the units keep their last retained state."""
        if self._subscription is not None:
            self._bus.unsubscribe(self._subscription)
            self._subscription = None
        await self.link.close()

    def health(self) -> AdapterHealth:
        """Connected or not, and how many units are online."""
        if not self.link.connected:
            return AdapterHealth(False, f"not connected to the broker {self.link.last_error}")
        up = sum(self.online.values())
        return AdapterHealth(True, f"{up}/{len(self._agent_of)} desk units online")
