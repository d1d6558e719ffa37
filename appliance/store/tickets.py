"""The ticket book: ticket writes run in the store thread, their events published after commit."""

from __future__ import annotations

from collections.abc import Callable

import peewee as pw

from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.store.models import Message, Ticket
from appliance.store.ticket_records import MessageDraft, TicketRecords, Written
from appliance.store.worker import StoreWorker
from appliance.tickets import BusinessCalendar, ReplyAction, SlaPolicy

__all__ = ["MessageDraft", "TicketBook", "Written"]


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
    ) -> None:
        self.records = TicketRecords(db, clock, policy=policy, calendar=calendar)
        self.bus = bus
        self.worker = worker or StoreWorker(db, name="tickets")

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

    async def reopen_on_customer_reply(
        self, ticket_id: int, draft: MessageDraft
    ) -> tuple[Ticket, Message, ReplyAction]:
        """File a customer's reply: the ticket it landed on, the message and what happened."""
        written = await self._write(self.records.customer_replied, ticket_id, draft)
        assert written.message is not None and written.action is not None
        return written.ticket, written.message, written.action

    async def _write(
        self, write: Callable[..., Written], *args: object, **kwargs: object
    ) -> Written:
        written = await self.worker.call(write, *args, **kwargs)
        # Only now, after the commit: a subscriber never hears of a rolled-back row.
        for event in written.events:
            self.bus.publish(event)
        return written
