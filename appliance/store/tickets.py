"""The ticket book: ticket writes run in the store thread, their events published after commit.

It is the tickets port every part writes through. With a filer (the switchboard)
each write also hands over the ticket's work item, read in the same trip to the
store thread right after the commit, so the queue is in step before any event
about the change is heard.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import peewee as pw

from appliance.queue.work_item import WorkItem
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.store.models import Message, Ticket
from appliance.store.ticket_records import MessageDraft, TicketRecords, Written
from appliance.store.work_items import read_open_item
from appliance.store.worker import StoreWorker
from appliance.tickets import BusinessCalendar, ReplyAction, SlaPolicy

__all__ = ["Filer", "MessageDraft", "TicketBook", "Written"]

# Takes a ticket's work item after a write (None: no longer open work); must not block.
Filer = Callable[[int, WorkItem | None], None]


class TicketBook:
    """Open, answer, move and assign tickets; every change becomes an event on the bus."""

    def __init__(
        self,
        db: pw.Database,
        bus: EventBus,
        clock: Clock,
        *,
        worker: StoreWorker | None = None,
        policy: SlaPolicy | None = None,
        calendar: BusinessCalendar | None = None,
        filer: Filer | None = None,
    ) -> None:
        self.records = TicketRecords(db, clock, policy=policy, calendar=calendar)
        self.bus = bus
        self.worker = worker or StoreWorker(db, name="tickets")
        self.filer = filer

    async def open_ticket(
        self,
        channel: str,
        subject: str = "",
        customer_id: int | None = None,
        priority: str = "normal",
        *,
        team_id: int | None = None,
        assignee_id: int | None = None,
        message: MessageDraft | None = None,
    ) -> Ticket:
        """A new ticket (#1001, #1002, ...), with its first message if given."""
        written = await self._write(
            self.records.open_ticket, channel, subject, customer_id, priority,
            team_id=team_id, assignee_id=assignee_id, message=message,
        )
        return written.ticket

    async def add_message(self, ticket_id: int, draft: MessageDraft) -> Message:
        """Add a message, note or reply to a ticket."""
        written = await self._write(self.records.add_message, ticket_id, draft)
        assert written.message is not None
        return written.message

    async def change_status(self, ticket_id: int, status: str, *, by: int | None = None) -> Ticket:
        """Move a ticket in its lifecycle; TransitionError when the move is not allowed."""
        return (await self._write(self.records.change_status, ticket_id, status, by=by)).ticket

    async def assign(
        self, ticket_id: int, agent_id: int | None, *, by: int | None = None
    ) -> Ticket:
        """Give a ticket to an agent, or none."""
        return (await self._write(self.records.assign, ticket_id, agent_id, by=by)).ticket

    async def set_priority(self, ticket_id: int, priority: str, *, by: int | None = None) -> Ticket:
        """A new priority; the SLA due times follow it, and with them the queue order."""
        return (await self._write(self.records.set_priority, ticket_id, priority, by=by)).ticket

    async def merge(self, source_id: int, target_id: int, *, by: int | None = None) -> Ticket:
        """Merge one ticket into another; the merged one leaves the queue."""
        return (await self._write(self.records.merge, source_id, target_id, by=by)).ticket

    async def set_customer(
        self, ticket_id: int, customer_id: int | None, *, by: int | None = None
    ) -> Ticket:
        """Give a ticket to another customer (or to none)."""
        return (await self._write(self.records.set_customer, ticket_id, customer_id,
                                  by=by)).ticket

    async def reopen_on_customer_reply(
        self, ticket_id: int, draft: MessageDraft
    ) -> tuple[Ticket, Message, ReplyAction]:
        """File a customer's reply: the ticket it landed on, the message and what happened."""
        written = await self._write(self.records.customer_replied, ticket_id, draft)
        assert written.message is not None and written.action is not None
        return written.ticket, written.message, written.action

    async def set_pending(self, ticket_id: int, until: datetime, reason: str, *,
                          by: int | None = None) -> Ticket:
        """Pending until a time, with a reason: out of the queue until then."""
        return (await self._write(self.records.set_pending, ticket_id, until, reason,
                                  by=by)).ticket

    async def return_due_pending(self) -> list[Ticket]:
        """Bring back the pending tickets whose time has come; the ones brought back."""
        returned = []
        for ticket_id in await self.worker.call(self.records.due_pending):
            written = await self._write(self.records.return_pending, ticket_id)
            if written.events:
                returned.append(written.ticket)
        return returned

    async def _write(
        self, write: Callable[..., Written], *args: object, **kwargs: object
    ) -> Written:
        if self.filer is None:
            written = await self.worker.call(write, *args, **kwargs)
        else:
            written, item = await self.worker.call(_write_and_read, write, args, kwargs)
            self.filer(int(written.ticket.id), item)
        # Only now, after the commit: a subscriber never hears of a rolled-back row.
        for event in written.events:
            self.bus.publish(event)
        return written


def _write_and_read(write: Callable[..., Written], args: tuple[object, ...],
                    kwargs: dict[str, object]) -> tuple[Written, WorkItem | None]:
    """One trip to the store thread: the committed write, then the ticket's work item."""
    written = write(*args, **kwargs)
    return written, read_open_item(int(written.ticket.id))
