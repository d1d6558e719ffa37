"""The call log: call events on the bus become one Call row per call, with its times.

Offered makes the row (linked to the customer the number belongs to),
answered and ended fill in who, when and how long; a callback links the
ticket it made. The end of a call an agent answered opens their after-call
item (`appliance.store.after_calls`). Replayed events change nothing that is
already recorded.
"""

from __future__ import annotations

import logging
from datetime import datetime

import peewee as pw

from appliance.spine.bus import EventBus, Subscription
from appliance.spine.events import (
    AfterCallOpened,
    CallAnswered,
    CallbackCreated,
    CallEnded,
    CallOffered,
    CallRinging,
    Event,
)
from appliance.store.after_calls import open_after_call
from appliance.store.customers import CustomerDirectory
from appliance.store.errors import InvalidInput
from appliance.store.models import Call, Customer, Ticket
from appliance.store.worker import StoreWorker

log = logging.getLogger("aspa.store.calls")

CALL_EVENTS: tuple[type[Event], ...] = (
    CallOffered, CallRinging, CallAnswered, CallEnded, CallbackCreated,
)
UNKNOWN_LINE = "unknown"  # a call first heard of after it was offered (e.g. across a restart)


class CallLog:
    """Keeps the Call table in step with the call events."""

    def __init__(
        self, db: pw.Database, directory: CustomerDirectory, *, worker: StoreWorker | None = None
    ) -> None:
        self.db = db
        self.directory = directory
        self.worker = worker or StoreWorker(db, name="calls")
        self._first_ring: dict[str, datetime] = {}  # live calls only; dropped when they end
        self._bus: EventBus | None = None

    def attach(self, bus: EventBus) -> Subscription:
        """Subscribe to the call events (and tell of the after-call items they open)."""
        self._bus = bus
        return bus.subscribe("call-log", self.handle, CALL_EVENTS)

    async def handle(self, event: Event) -> None:
        """Record one call event in the store thread."""
        if isinstance(event, CallRinging):
            self._first_ring.setdefault(event.call_id, event.at)
            return
        ring_seconds = 0.0
        if isinstance(event, CallAnswered | CallEnded):
            began = self._first_ring.get(event.call_id)
            ring_seconds = 0.0 if began is None else max(0.0, (event.at - began).total_seconds())
        if isinstance(event, CallEnded):
            self._first_ring.pop(event.call_id, None)
        opened = await self.worker.call(self.record, event, ring_seconds)
        if opened is not None and self._bus is not None:
            self._bus.publish(opened)

    def record(self, event: Event, ring_seconds: float = 0.0) -> AfterCallOpened | None:
        """Apply one call event to its Call row; the after-call item it opened, if any.
        Blocking."""
        with self.db.atomic():
            if isinstance(event, CallOffered):
                self._offered(event)
            elif isinstance(event, CallAnswered):
                call = self._call(event.call_id, event.at)
                if call.answered_at is None:
                    call.answered_at = event.at
                    call.agent_id = event.agent_id
                    call.wait_seconds = event.wait_seconds
                    call.ring_seconds = ring_seconds
                    call.save()
            elif isinstance(event, CallEnded):
                call = self._call(event.call_id, event.at)
                if call.ended_at is None:
                    call.ended_at = event.at
                    call.outcome = event.outcome
                    call.talk_seconds = event.talk_seconds
                    if call.answered_at is None:
                        call.wait_seconds = event.wait_seconds
                        call.ring_seconds = ring_seconds
                    call.save()
                    item_id = open_after_call(call, event.at)
                    if item_id is not None:
                        return AfterCallOpened(
                            at=event.at, after_call_id=item_id, call_id=call.call_ref,
                            agent_id=call.agent_id, customer_id=call.customer_id)
            elif isinstance(event, CallbackCreated) and self._ticket_exists(event.ticket_id):
                call = self._call(event.call_id, event.at)
                call.ticket_id = event.ticket_id
                call.save(only=[Call.ticket])
        return None

    def _offered(self, event: CallOffered) -> None:
        if Call.select().where(Call.call_ref == event.call_id).exists():
            return
        Call.create(
            call_ref=event.call_id, line=event.line, direction="in", number=event.number,
            number_status=event.number_status, customer=self._customer_of(event),
            offered_at=event.at,
        )

    def _customer_of(self, event: CallOffered) -> int | None:
        if event.customer_id is not None:
            known = Customer.select().where(Customer.id == event.customer_id).exists()
            return event.customer_id if known else None
        if event.number is None:
            return None
        try:
            customer = self.directory.find_by_phone(event.number)
        except InvalidInput:
            return None
        return None if customer is None else customer.id

    def _ticket_exists(self, ticket_id: int | None) -> bool:
        return ticket_id is not None and Ticket.select().where(Ticket.id == ticket_id).exists()

    def _call(self, call_id: str, at: datetime) -> Call:
        call: Call | None = Call.get_or_none(Call.call_ref == call_id)
        if call is None:
            log.warning("call %s: no offer recorded; logging it from %s on", call_id, at)
            call = Call.create(call_ref=call_id, line=UNKNOWN_LINE, offered_at=at)
        return call
