"""The MQTT adapter: availability, retained figures, discovery, events and daily summaries.

It subscribes to the bus; events and summaries go to the outbox, figures
to the retained state; the broker link carries both whenever it is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from appliance.config.sections.mqtt import MqttSettings
from appliance.mqtt.broker_link import BrokerLink
from appliance.mqtt.broker_settings import box_topics, broker_address
from appliance.mqtt.connection import Connection
from appliance.mqtt.daily_summary import LAST_DAY_KEY, days_due, read_last_day, summary_payload
from appliance.mqtt.discovery import Discovery
from appliance.mqtt.event_messages import PUBLISHED_EVENTS, event_message
from appliance.mqtt.inbound import Inbound
from appliance.mqtt.live_figures import Number, core_figures, store_figures
from appliance.mqtt.outbox import Outbox
from appliance.mqtt.outbox_rows import LAST_ERROR_KEY, OutgoingMessage, set_meta
from appliance.mqtt.retained_state import RetainedState
from appliance.ports.adapter import AdapterHealth
from appliance.ports.board import BoardPort
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.clock import Clock
from appliance.spine.events import (
    CallAnswered,
    CallEnded,
    CallOffered,
    Event,
    HealthChanged,
    LineStatus,
    PresenceChanged,
    TicketAssigned,
    TicketCreated,
    TicketStatusChanged,
)
from appliance.store.call_figures import SERVICE_LEVEL_S
from appliance.store.worker import StoreWorker

log = logging.getLogger("aspa.mqtt")

BATCH_MAX = 500  # events written to the outbox in one transaction
STORE_RETRY_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
DRAIN_TIMEOUT_S = 10.0
REFRESH_GAP_S = 0.5  # figures are read at most this often when events pour in
# Events that change the live figures: they refresh them at once, not at the next tick.
CORE_EVENTS: tuple[type[Event], ...] = (
    CallOffered, CallAnswered, CallEnded, PresenceChanged, TicketCreated,
    TicketStatusChanged, TicketAssigned,
)
MAIL_PART_PREFIX = "mail:"

Sleep = Callable[[float], Awaitable[None]]


class MqttAdapter:
    """Publishes the box to MQTT; plugs into the daemon as an Adapter."""

    name = "mqtt"

    def __init__(self, settings: MqttSettings, box: str, time_zone: str, *, bus: EventBus,
                 store: StoreWorker, clock: Clock, board: BoardPort | None = None,
                 sleep: Sleep = asyncio.sleep, link_sleep: Sleep = asyncio.sleep,
                 service_level_s: float = SERVICE_LEVEL_S) -> None:
        self.settings = settings
        self.service_level_s = service_level_s
        self.box = box
        self.zone = ZoneInfo(time_zone)
        self.topics = box_topics(settings, box)
        self._bus = bus
        self._store = store
        self._clock = clock
        self._board = board
        self._sleep = sleep
        discovery = (Discovery(self.topics, settings.discovery_prefix)
                     if settings.discovery else None)
        self.state = RetainedState(self.topics, discovery)
        self.outbox = Outbox(store, clock, settings.outbox_cap)
        self.inbound = Inbound(f"{settings.discovery_prefix}/status", self.state.announce)
        self.link = BrokerLink(broker_address(settings, box), self.topics.status,
                               on_session=self._session, on_message=self.inbound.handle,
                               sleep=link_sleep)
        self.subscribe_error = ""
        self.bad_events = 0
        self._noted_error: str | None = None
        self._figures_changed = asyncio.Event()
        self._sub: Subscription | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._summary_lock = asyncio.Lock()

    async def start(self) -> None:
        """Load the outbox, follow the bus and begin connecting (the broker may be away)."""
        await self.outbox.load()
        if await self._store.call(read_last_day) is None:
            yesterday = self._clock.now().astimezone(self.zone).date() - timedelta(days=1)
            await self._store.call(set_meta, LAST_DAY_KEY, yesterday.isoformat())
        self._sub = self._bus.subscribe(
            "mqtt", self._on_event, (*PUBLISHED_EVENTS, *CORE_EVENTS, LineStatus, HealthChanged))
        self.link.start()
        self._ticker = asyncio.create_task(self._tick_forever(), name="mqtt-ticker")

    async def stop(self) -> None:
        """Publish `offline`, disconnect, and finish marking what the broker acknowledged."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._sub is not None:
            # What the bus already handed us goes into the outbox before we let go of it.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(DRAIN_TIMEOUT_S):
                    await self._sub.queue.join()
            self._bus.unsubscribe(self._sub)
            self._sub = None
        await self.link.stop()
        await self.outbox.close()

    def health(self) -> AdapterHealth:
        """Connected or why not; what waits, what was dropped or refused."""
        waiting = f"{self.outbox.unsent} waiting, {self.outbox.dropped} dropped"
        a = self.link.address
        if self.link.connection is None:
            return AdapterHealth(False, f"not connected to {a.host}:{a.port}: "
                                        f"{self.link.last_error or 'connecting'}; {waiting}")
        refusal = self.outbox.last_refusal or self.state.last_refusal or self.subscribe_error
        if refusal:
            return AdapterHealth(False, f"connected to {a.host}:{a.port}, but {refusal}; {waiting}")
        return AdapterHealth(True, f"connected to {a.host}:{a.port}; {waiting}")

    # --- the bus ---------------------------------------------------------------

    async def _on_event(self, event: Event) -> None:
        extra = self._take_queued()
        messages: list[OutgoingMessage] = []
        for e in (event, *extra):
            try:
                messages.extend(self._apply(e))
            except Exception:  # one odd event must not cost the others their messages
                self.bad_events += 1
                log.exception("mqtt: cannot publish %s %s (%d skipped)", e.kind, e.event_id,
                              self.bad_events)
        if isinstance(event, CORE_EVENTS) or any(isinstance(e, CORE_EVENTS) for e in extra):
            self._figures_changed.set()
        try:
            await self._store_with_retry(messages)
        finally:
            if self._sub is not None:
                for _ in extra:
                    self._sub.queue.task_done()

    def _apply(self, event: Event) -> list[OutgoingMessage]:
        """Update retained state from one event; return its outbox message, if it has one."""
        if isinstance(event, LineStatus):
            self.state.set_line(event.line, registered=event.registered, signal=event.signal,
                                operator=event.operator)
        elif isinstance(event, HealthChanged) and event.part.startswith(MAIL_PART_PREFIX):
            self.state.set_mailbox(event.part[len(MAIL_PART_PREFIX):], event.ok)
        described = event_message(event, self.box)
        if described is None:
            return []
        kind, payload = described
        return [OutgoingMessage(self.topics.event(kind), payload)]

    async def _store_with_retry(self, messages: list[OutgoingMessage]) -> None:
        """Write to the outbox; while the database fails, keep trying (the bus queues behind)."""
        attempt = 0
        while True:
            try:
                await self.outbox.put(messages)
                return
            except Exception as error:
                delay = STORE_RETRY_S[min(attempt, len(STORE_RETRY_S) - 1)]
                attempt += 1
                log.error("mqtt: cannot store %d messages in the outbox (%s); retrying in "
                          "%.1f s", len(messages), error, delay)
                await self._sleep(delay)

    def _take_queued(self) -> list[Event]:
        if self._sub is None:
            return []
        taken: list[Event] = []
        while len(taken) < BATCH_MAX - 1 and not self._sub.queue.empty():
            taken.append(self._sub.queue.get_nowait())
        return taken

    # --- sessions and the clock ---------------------------------------------------

    async def _session(self, connection: Connection) -> None:
        self.state.begin_session(connection)
        if self.settings.discovery:
            code = await connection.subscribe(self.inbound.ha_status_topic, qos=1)
            if code.is_failure:
                self.subscribe_error = (f"the broker's ACL does not let this user read "
                                        f"{self.inbound.ha_status_topic} ({code.getName()})")
                log.error("mqtt: %s; discovery is sent only on connect", self.subscribe_error)
            else:
                self.subscribe_error = ""
        await self.outbox.send(connection)

    async def _tick_forever(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("mqtt: refreshing figures failed; trying again next time")
            await self._until_next_tick()

    async def _until_next_tick(self) -> None:
        """Wait for the interval, or less when an event changed the figures."""
        interval: asyncio.Future[Any] = asyncio.ensure_future(
            self._sleep(self.settings.state_interval))
        changed: asyncio.Future[Any] = asyncio.ensure_future(self._figures_changed.wait())
        try:
            await asyncio.wait({interval, changed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (interval, changed):
                task.cancel()
        if changed.done() and not changed.cancelled():
            # Let the core's own subscriber apply the same event before figures are read.
            await asyncio.sleep(REFRESH_GAP_S)
        self._figures_changed.clear()

    async def tick(self) -> None:
        """Refresh the retained figures, queue due daily summaries, note the link's error."""
        await self.refresh_figures()
        await self.queue_due_summaries()
        await self._note_link_error()

    async def _note_link_error(self) -> None:
        """Keep the link's last error in the store, where `aspa doctor` reads it."""
        error = self.health().detail if not self.health().ok else ""
        if error != self._noted_error:
            stamp = self._clock.now().isoformat(timespec="seconds")
            await self._store.call(set_meta, LAST_ERROR_KEY, f"{stamp} {error}" if error else "")
            self._noted_error = error

    async def refresh_figures(self) -> None:
        """Read every figure now and send the changed ones."""
        now = self._clock.now()
        figures: dict[str, Number] = {}
        if self._board is not None:
            figures.update(core_figures(self._board.waiting_calls(), self._board.agents(), now))
        figures.update(await self._store.call(store_figures, now, self.zone,
                                              self.service_level_s))
        figures["outbox_waiting"] = self.outbox.unsent
        figures["outbox_dropped"] = self.outbox.dropped
        self.state.set_figures(dict(figures))

    async def queue_due_summaries(self) -> None:
        """Queue the summary of every finished day not summarised yet, oldest first."""
        async with self._summary_lock:  # two callers must not both queue the same day
            last = await self._store.call(read_last_day)
            for day in days_due(self._clock.now(), self.zone, last):
                payload = await self._store.call(summary_payload, day, self.zone, self.box,
                                                 uuid.uuid4().hex, self.service_level_s)
                message = OutgoingMessage(self.topics.daily_summary, payload, retain=True)
                await self.outbox.put([message], meta=(LAST_DAY_KEY, day.isoformat()))
                log.info("mqtt: daily summary of %s queued", day)
