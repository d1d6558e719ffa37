"""What the exchange writes down about a call: its customer, its callback ticket, its record."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from appliance.calls.call_records import (
    attach_recording,
    callback_subject,
    called_again_note,
    ensure_customer,
    write_call,
)
from appliance.calls.callback_records import OwedCallback, open_callback_for, save_retry
from appliance.ports.call_sound import CallSound
from appliance.ports.line import Line
from appliance.queue.call_commands import CreateCallback, Finished
from appliance.queue.call_setup import Caller
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.events import CallbackCreated, CallRecorded, VoicemailReceived
from appliance.store.customers import CustomerDirectory
from appliance.store.tickets import MessageDraft, TicketBook
from appliance.store.worker import StoreWorker

if TYPE_CHECKING:
    from appliance.calls.call_voice import SavedMessage


@dataclass
class LiveCall:
    """The exchange's bookkeeping for one call besides its flow."""

    line: Line
    caller: Caller
    number_status: str
    ticket_id: int | None = None
    legs: dict[int, str] = field(default_factory=dict)  # agent id -> their leg's call id
    customer_tried: bool = False
    sound: CallSound | None = None  # the call's sound through the box, while it is open


class CallLedger:
    """Customer rows, callback tickets, Call rows and their events (after each commit)."""

    def __init__(
        self,
        store: StoreWorker,
        tickets: TicketBook,
        directory: CustomerDirectory,
        bus: EventBus,
        clock: Clock,
        language: str,
    ) -> None:
        self.store = store
        self.tickets = tickets
        self.directory = directory
        self.bus = bus
        self.clock = clock
        self.language = language
        # Finding the callback a number is owed and opening one if none is a single step: a
        # voicemail is filed beside the exchange's task (see Exchange._beside), so it and a
        # missed call of the same number on another line must not both open one.
        self._owing = asyncio.Lock()

    async def ensure_customer(self, live: LiveCall) -> None:
        """Make the customer of a first-time caller (off the path to the first ring)."""
        number = live.caller.number
        if live.caller.customer_id is None and number and not live.customer_tried:
            live.customer_tried = True
            customer_id = await self.store.call(ensure_customer, self.directory, number)
            live.caller = replace(live.caller, customer_id=customer_id)

    async def create_callback(self, call_id: str, live: LiveCall, command: CreateCallback) -> None:
        """Open the callback ticket the call is owed (a VIP's at high priority), or note the call
        on the callback its number is owed already."""
        await self.ensure_customer(live)
        caller = live.caller
        language = caller.language or self.language
        async with self._owing:
            owed = await self.store.call(open_callback_for, caller.number)
            if owed is not None:
                # One callback covers every missed call of the number while it is open.
                await self._called_again(owed, caller, command.reason, language)
                live.ticket_id = owed.ticket_id
            else:
                subject = callback_subject(caller, command.reason, language)
                draft = MessageDraft(channel="call", direction="in", body_text=subject,
                                     sender=caller.number or "")
                ticket = await self.tickets.open_ticket(
                    "callback", subject, caller.customer_id, "high" if caller.vip else "normal",
                    assignee_id=command.assignee_id, message=draft)
                live.ticket_id = int(ticket.id)
        self.bus.publish(CallbackCreated(
            at=self.clock.now(), call_id=call_id, number=caller.number, reason=command.reason,
            customer_id=caller.customer_id, ticket_id=live.ticket_id,
            agent_id=command.assignee_id))

    async def file_voicemail(self, call_id: str, live: LiveCall, message: SavedMessage,
                             assignee_id: int | None = None) -> None:
        """The caller's message becomes a callback owed, with the recording attached."""
        await self.ensure_customer(live)
        caller = live.caller
        language = caller.language or self.language
        subject = callback_subject(caller, "caller_left_message", language)
        minutes, seconds = divmod(round(message.seconds), 60)
        lead = "Ääniviesti" if language == "fi" else "Voicemail"
        async with self._owing:
            owed = await self.store.call(open_callback_for, caller.number)
            if owed is not None:
                # The message goes with the callback already owed, on a note of its own.
                note = await self._called_again(owed, caller, "caller_left_message", language,
                                                f"{lead} {minutes}:{seconds:02d}")
                live.ticket_id = owed.ticket_id
                await self.store.call(attach_recording, owed.ticket_id, message, note)
            else:
                draft = MessageDraft(channel="call", direction="in",
                                     sender=caller.number or "",
                                     body_text=f"{lead} {minutes}:{seconds:02d}")
                ticket = await self.tickets.open_ticket(
                    "callback", subject, caller.customer_id, "high" if caller.vip else "normal",
                    assignee_id=assignee_id, message=draft)
                live.ticket_id = int(ticket.id)
                await self.store.call(attach_recording, int(ticket.id), message)
        self.bus.publish(VoicemailReceived(
            at=self.clock.now(), call_id=call_id, seconds=message.seconds,
            customer_id=caller.customer_id, ticket_id=live.ticket_id))

    async def _called_again(self, owed: OwedCallback, caller: Caller, reason: str,
                            language: str, more: str = "") -> int:
        """Note the new missed call on the callback owed already; the note's message id.

        A callback waiting for its next try comes back to the queue now (the caller is
        trying), and a VIP's is raised to high priority as a new one would be.
        """
        text = called_again_note(reason, self.clock.now(), language)
        draft = MessageDraft(channel="note", direction="internal",
                             body_text=f"{text}\n{more}" if more else text)
        note = await self.tickets.add_message(owed.ticket_id, draft)
        if owed.status == "pending":
            await self.store.call(save_retry, owed.ticket_id, None)
            await self.tickets.change_status(owed.ticket_id, "open")
        if caller.vip and owed.priority in ("low", "normal"):
            await self.tickets.set_priority(owed.ticket_id, "high")
        return int(note.id)

    async def finish(self, call_id: str, live: LiveCall, command: Finished) -> None:
        """Store the Call row; CallRecorded puts it in the customer's history."""
        record = command.record
        await self.ensure_customer(live)
        await self.store.call(write_call, call_id, live.line.name, live.caller,
                              live.number_status, record, live.ticket_id)
        self.bus.publish(CallRecorded(
            at=record.ended_at, call_id=call_id, line=live.line.name, number=live.caller.number,
            outcome=record.outcome.value, reason=record.reason, wait_seconds=record.wait_s,
            ring_seconds=record.ring_s, talk_seconds=record.talk_s,
            method=record.method.value if record.method is not None else None,
            customer_id=live.caller.customer_id, agent_id=record.agent_id,
            ticket_id=live.ticket_id))
