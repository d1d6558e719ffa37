"""Typed events and the in-process bus every part of Aspa talks through.

Every state change is an event. Adapters publish them; the web page, MQTT,
the LEDs and the history writer subscribe. Publishing never blocks: each
subscriber has its own queue and its own task, so a slow or failing
subscriber cannot stall the publisher or lose events for the others.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

log = logging.getLogger("aspa.events")

# Events held for one slow subscriber before it starts losing its own (never the others').
SUBSCRIBER_QUEUE_MAX = 100_000


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event: when it happened and whom it concerns."""

    kind: ClassVar[str] = "event"
    at: datetime
    customer_id: int | None = None
    ticket_id: int | None = None
    agent_id: int | None = None
    event_id: str = field(default_factory=_new_id)

    def payload(self) -> dict[str, Any]:
        """The event as plain JSON-ready data (datetimes as ISO strings)."""
        data: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            data[f.name] = value
        return data


# --- presence -----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceChanged(Event):
    """An agent's presence or derived activity changed."""

    kind: ClassVar[str] = "presence.changed"
    presence: str  # available / busy / away / offline
    activity: str  # idle / ringing / on_call / wrap_up
    source: str = "system"  # web, button, desk-unit, routing, system


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentPaused(Event):
    """An agent was paused by the system, e.g. after missing offered calls."""

    kind: ClassVar[str] = "agent.paused"
    reason: str


# --- calls --------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CallOffered(Event):
    """A call arrived on a line."""

    kind: ClassVar[str] = "call.offered"
    call_id: str
    line: str
    number: str | None  # None when withheld or unavailable
    number_status: str = "valid"  # valid / withheld / unavailable


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRinging(Event):
    """Aspa is ringing one or more agents for a call."""

    kind: ClassVar[str] = "call.ringing"
    call_id: str
    agent_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAnswered(Event):
    """An agent took a call."""

    kind: ClassVar[str] = "call.answered"
    call_id: str
    wait_seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEnded(Event):
    """A call ended: answered, missed, abandoned, overflowed or interrupted."""

    kind: ClassVar[str] = "call.ended"
    call_id: str
    outcome: str
    wait_seconds: float = 0.0
    talk_seconds: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackCreated(Event):
    """A call that could not be connected became a callback work item."""

    kind: ClassVar[str] = "callback.created"
    call_id: str
    number: str | None
    reason: str


# --- tickets and messages -------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketCreated(Event):
    """A new work item / ticket exists."""

    kind: ClassVar[str] = "ticket.created"
    number: int
    channel: str
    subject: str
    priority: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketStatusChanged(Event):
    """A ticket moved in its lifecycle."""

    kind: ClassVar[str] = "ticket.status"
    number: int
    old_status: str
    new_status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketAssigned(Event):
    """A ticket got (or lost) an assignee."""

    kind: ClassVar[str] = "ticket.assigned"
    number: int
    assignee_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageAdded(Event):
    """A message (mail, SMS, note, reply) was added to a ticket."""

    kind: ClassVar[str] = "message.added"
    message_id: int
    channel: str
    direction: str  # in / out / internal


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsReceived(Event):
    """An SMS arrived on a line."""

    kind: ClassVar[str] = "sms.received"
    line: str
    number: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Quarantined(Event):
    """Something that could not be handled was kept raw with its reason."""

    kind: ClassVar[str] = "quarantine.added"
    quarantine_id: int
    source: str
    reason: str


# --- health of the parts ------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LineStatus(Event):
    """A line's registration, signal or operator changed."""

    kind: ClassVar[str] = "line.status"
    line: str
    registered: bool
    signal: int | None = None  # 0..31 as in +CSQ, None when unknown
    operator: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthChanged(Event):
    """A part (mailbox, broker, modem, disk) became healthy or failed."""

    kind: ClassVar[str] = "health.changed"
    part: str
    ok: bool
    detail: str = ""


# --- GSM line (appliance.gsm) ---------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CallStateChanged(Event):
    """A call on a line changed state (dialing, alerting, active, held, waiting...)."""

    kind: ClassVar[str] = "call.state"
    call_id: str
    line: str
    state: str
    direction: str  # in / out
    number: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DtmfReceived(Event):
    """The far end of a call pressed a key."""

    kind: ClassVar[str] = "call.dtmf"
    call_id: str | None
    line: str
    digit: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsSent(Event):
    """An SMS left a line; `references` are the network's message references, one per part."""

    kind: ClassVar[str] = "sms.sent"
    line: str
    number: str
    references: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsDeliveryReport(Event):
    """The SMS centre reported on a sent message part (3GPP TS 23.040 §9.2.2.3)."""

    kind: ClassVar[str] = "sms.delivery_report"
    line: str
    reference: int
    number: str
    outcome: str  # delivered / pending / failed
    status: int


# --- call queue (appliance.calls) ------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRecorded(Event):
    """A queued call is over: its outcome and times, for the customer's history and figures."""

    kind: ClassVar[str] = "call.recorded"
    call_id: str
    line: str
    number: str | None
    outcome: str  # answered / deflected / abandoned / overflowed / closed / ... (queue.Outcome)
    reason: str = ""
    wait_seconds: float = 0.0
    ring_seconds: float = 0.0
    talk_seconds: float = 0.0
    method: str | None = None  # ect / conference / deflect, when an agent took it


@dataclass(frozen=True, slots=True, kw_only=True)
class LineLearned(Event):
    """A line found out whether the network allows a hand-over method (ECT, conference...)."""

    kind: ClassVar[str] = "line.learned"
    line: str
    method: str
    works: bool


Handler = Callable[[Event], Awaitable[None] | None]


class Subscription:
    """One subscriber: its queue, its task and what it has seen."""

    def __init__(
        self, name: str, handler: Handler, kinds: tuple[type[Event], ...] | None, limit: int
    ) -> None:
        self.name = name
        self.handler = handler
        self.kinds = kinds
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self.limit = limit
        self.delivered = 0
        self.failed = 0
        self.dropped = 0
        self.task: asyncio.Task[None] | None = None

    def wants(self, event: Event) -> bool:
        return self.kinds is None or isinstance(event, self.kinds)

    def offer(self, event: Event) -> None:
        if self.queue.qsize() >= self.limit:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error(
                    "subscriber %s is %d events behind; dropped %d of its own events",
                    self.name,
                    self.queue.qsize(),
                    self.dropped,
                )
            return
        self.queue.put_nowait(event)

    async def run(self) -> None:
        while True:
            event = await self.queue.get()
            try:
                result = self.handler(event)
                if inspect.isawaitable(result):
                    await result
                self.delivered += 1
            except asyncio.CancelledError:
                raise
            except Exception:
                self.failed += 1
                log.exception(
                    "subscriber %s failed on %s %s", self.name, event.kind, event.event_id)
            finally:
                self.queue.task_done()


class EventBus:
    """Fan-out of events to subscribers that each run in their own task."""

    def __init__(self, *, subscriber_limit: int = SUBSCRIBER_QUEUE_MAX) -> None:
        self._subs: list[Subscription] = []
        self._limit = subscriber_limit
        self._running = False
        self.published = 0

    def subscribe(
        self, name: str, handler: Handler, kinds: Iterable[type[Event]] | None = None
    ) -> Subscription:
        """Register a handler (plain or async) for all events or the given kinds."""
        sub = Subscription(name, handler, tuple(kinds) if kinds is not None else None, self._limit)
        self._subs.append(sub)
        if self._running:
            sub.task = asyncio.get_running_loop().create_task(sub.run(), name=f"bus:{name}")
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)
        if sub.task is not None:
            sub.task.cancel()

    def publish(self, event: Event) -> None:
        """Hand an event to every interested subscriber; never blocks, never raises."""
        self.published += 1
        for sub in self._subs:
            if sub.wants(event):
                sub.offer(event)

    def start(self) -> None:
        """Start one task per subscriber on the running loop."""
        loop = asyncio.get_running_loop()
        self._running = True
        for sub in self._subs:
            if sub.task is None:
                sub.task = loop.create_task(sub.run(), name=f"bus:{sub.name}")

    async def drain(self) -> None:
        """Wait until every subscriber has handled everything published so far."""
        for sub in list(self._subs):
            if sub.task is not None:
                await sub.queue.join()

    async def stop(self) -> None:
        """Deliver what is queued, then stop the subscriber tasks."""
        await self.drain()
        self._running = False
        tasks = [s.task for s in self._subs if s.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for sub in self._subs:
            sub.task = None

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        return tuple(self._subs)
