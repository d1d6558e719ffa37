"""The GPIO adapter: desk buttons become presence gestures, events become LED patterns."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from gpiozero.pins import Factory

from appliance.config.sections.gpio import GpioSettings
from appliance.gpio.desk_light import NOTICE_BLINK_S, NOTICE_BLINKS, light_for
from appliance.gpio.desk_panel import DeskPanel
from appliance.gpio.pin_factory import pin_factory
from appliance.gpio.status_lights import flag_light, line_light, waiting_light
from appliance.gpio.status_panel import StatusPanel
from appliance.gpio.thread_bridge import LoopBridge
from appliance.ports.adapter import AdapterHealth
from appliance.ports.presence import PresencePort
from appliance.ports.work import WorkPort
from appliance.presence.effective_state import effective_state, state_of
from appliance.presence.gestures import Gesture, after_gesture
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.clock import Clock
from appliance.spine.events import (
    AgentNotified,
    CallAnswered,
    CallEnded,
    CallOffered,
    Event,
    HealthChanged,
    LineStatus,
    PresenceChanged,
)

log = logging.getLogger("aspa.gpio")

SLA_CHECK_S = 1.0  # the SLA LED follows the clock, not an event
_EVENTS = (PresenceChanged, LineStatus, HealthChanged, CallOffered, CallAnswered, CallEnded,
           AgentNotified)


class GpioAdapter:
    """Status LEDs and desk button + LED pairs on this box's GPIO."""

    def __init__(self, settings: GpioSettings, presence: PresencePort, work: WorkPort, *,
                 bus: EventBus, clock: Clock, factory: Factory | None = None,
                 sla_check_s: float = SLA_CHECK_S) -> None:
        self._settings = settings
        self._sla_check_s = sla_check_s
        self._presence = presence
        self._work = work
        self._bus = bus
        self._clock = clock
        self._factory = factory
        self.desks: list[DeskPanel] = []
        self.status: StatusPanel | None = None
        self._subscription: Subscription | None = None
        self._sla_task: asyncio.Task[None] | None = None
        self._failed_parts: set[str] = set()
        self.gestures = 0
        self.ignored = 0

    @property
    def name(self) -> str:
        return "gpio"

    async def start(self) -> None:
        """Claim the pins, show the current states and listen to buttons and events."""
        factory = self._factory or pin_factory(self._settings.pin_factory)
        bridge = LoopBridge(asyncio.get_running_loop())
        bounce = self._settings.bounce_ms / 1000 or None
        try:
            self.status = StatusPanel(self._settings, factory)
            for desk in self._settings.desks:
                panel = DeskPanel(desk, factory, hold_s=self._settings.hold_seconds,
                                  bounce_s=bounce,
                                  on_gesture=lambda login, g: bridge.call(self._gesture, login, g))
                self.desks.append(panel)
        except Exception:
            self._close_devices()
            raise
        for panel in self.desks:
            agent_id = self._presence.agent_id(panel.agent)
            if agent_id is None:
                log.warning("gpio.desks: no active agent %r; its button does nothing",
                            panel.agent)
            panel.show(light_for(self._state(agent_id)))
        self._refresh_work()
        self._subscription = self._bus.subscribe("gpio", self._on_event, _EVENTS)
        self._sla_task = asyncio.create_task(self._watch_sla(), name="gpio-sla")
        log.info("gpio: %d desks, pin factory %s", len(self.desks), type(factory).__name__)

    def _state(self, agent_id: int | None) -> str:
        """The agent's effective state now; an agent the box does not know is offline."""
        agent = self._presence.agent(agent_id) if agent_id is not None else None
        return state_of(agent, self._clock.now()) if agent is not None else "offline"

    def _gesture(self, login: str, gesture: Gesture) -> None:
        """A button gesture, now on the loop: change the agent's presence."""
        agent_id = self._presence.agent_id(login)
        if agent_id is None or self._presence.change_presence(
                agent_id, lambda state, now: after_gesture(state, gesture, now),
                source="button") is None:
            self.ignored += 1
            log.warning("desk button %s of %r ignored: no such active agent", gesture, login)
            return
        self.gestures += 1

    def _on_event(self, event: Event) -> None:
        if isinstance(event, AgentNotified):
            if event.way == "led":
                self._blink_notice(event.agent_id)
            return
        if isinstance(event, PresenceChanged):
            light = light_for(effective_state(event.presence, event.activity))
            for panel in self.desks:
                if self._presence.agent_id(panel.agent) == event.agent_id:
                    panel.show(light)
        elif isinstance(event, LineStatus) and self.status is not None:
            self.status.show("line", line_light(event.registered, event.signal))
        elif isinstance(event, HealthChanged) and self.status is not None:
            if event.ok:
                self._failed_parts.discard(event.part)
            else:
                self._failed_parts.add(event.part)
            self.status.show("fault", flag_light(bool(self._failed_parts)))
        else:
            self._refresh_work()

    def _blink_notice(self, agent_id: int | None) -> None:
        """The agent's desk LED blinks a notice, then shows their state again."""
        loop = asyncio.get_running_loop()
        for panel in self.desks:
            if self._presence.agent_id(panel.agent) == agent_id:
                panel.blink_notice()
                loop.call_later(NOTICE_BLINK_S * 2 * NOTICE_BLINKS + 0.1, panel.show_again)

    def _refresh_work(self, now: datetime | None = None) -> None:
        """Callers waiting and SLA breach, from the open work."""
        if self.status is None:
            return
        now = now or self._clock.now()
        self.status.show("waiting", waiting_light(len(self._work.waiting_calls())))
        self.status.show("sla", flag_light(self._work.breached(now)))

    async def _watch_sla(self) -> None:
        while True:
            await asyncio.sleep(self._sla_check_s)
            self._refresh_work()

    async def stop(self) -> None:
        """Stop listening and release every pin (LEDs go dark)."""
        if self._subscription is not None:
            self._bus.unsubscribe(self._subscription)
            self._subscription = None
        if self._sla_task is not None:
            self._sla_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sla_task
            self._sla_task = None
        self._close_devices()

    def _close_devices(self) -> None:
        for panel in self.desks:
            panel.close()
        self.desks = []
        if self.status is not None:
            self.status.close()
            self.status = None

    def health(self) -> AdapterHealth:
        """OK while the pins are claimed."""
        if self.status is None:
            return AdapterHealth(False, "pins not claimed")
        return AdapterHealth(True, f"{len(self.desks)} desks, {self.gestures} presses")
