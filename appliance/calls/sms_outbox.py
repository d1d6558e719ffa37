"""The SMS the box promised a caller, kept until a line has sent it.

A call cut by a modem unplug still owes its caller the "we will call you back" SMS.
Each SMS is stored before it is tried; one that no line can send now is tried again
when a line comes up and on a doubling timer otherwise, across restarts, for a day.
The callback item says what became of it: sent, delivered, not delivered, given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from datetime import timedelta

from appliance.calls.sms_outbox_rows import (
    QueuedSms,
    due_sms,
    mark_given_up,
    mark_retry,
    mark_sent,
    match_report,
    next_try,
    queue_sms,
    try_all_now,
)
from appliance.ports.line import Line
from appliance.ports.line_faults import LineFault
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.clock import Clock
from appliance.spine.events import Event, LineStatus, SmsDeliveryReport
from appliance.store.errors import StoreError
from appliance.store.ticket_records import MessageDraft
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker

log = logging.getLogger("aspa.calls.sms")

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(minutes=30)
GIVE_UP_AFTER = timedelta(hours=24)  # a "we will call you back" a day late helps nobody
IDLE_CHECK_S = 60.0  # the sender looks at the table at least this often

_NOTES = {
    "fi": {
        "no_line": "yksikään tekstiviestejä lähettävä linja ei ole käytössä",
        "sent": "Tekstiviesti soittajalle lähetetty (linja {line}).",
        "delivered": "Tekstiviesti toimitettu soittajalle.",
        "not_delivered": "Tekstiviestiä ei voitu toimittaa soittajalle (verkon ilmoitus).",
        "waiting": "Tekstiviestiä soittajalle ei vielä saatu lähetettyä ({error}); "
                   "se lähetetään, kun linja palaa.",
        "given_up": "Tekstiviestiä soittajalle ei saatu lähetettyä vuorokauden aikana "
                    "({error}); soita asiakkaalle.",
    },
    "en": {
        "no_line": "no line that sends SMS is up",
        "sent": "SMS to the caller sent (line {line}).",
        "delivered": "SMS delivered to the caller.",
        "not_delivered": "The SMS could not be delivered to the caller (network report).",
        "waiting": "The SMS to the caller is not sent yet ({error}); it goes when a line is "
                   "back.",
        "given_up": "The SMS to the caller could not be sent within a day ({error}); call "
                    "the customer.",
    },
}


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 30 s, 1 min, 2 min … at most 30 min."""
    doubled: timedelta = FIRST_RETRY * (2 ** min(max(attempts - 1, 0), 16))
    return min(doubled, LONGEST_RETRY)


class SmsOutbox:
    """Sends the stored SMS on whichever line can, and notes the outcome on the ticket."""

    def __init__(self, store: StoreWorker, tickets: TicketBook, bus: EventBus, clock: Clock,
                 lines: Callable[[], Iterable[Line]], language: str) -> None:
        self._store = store
        self._tickets = tickets
        self._bus = bus
        self._clock = clock
        self._lines = lines
        self._notes = _NOTES.get(language, _NOTES["en"])
        self._kick = asyncio.Event()
        self._sending = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._sub: Subscription | None = None
        self._side_tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._sub = self._bus.subscribe("sms-outbox", self._on_event,
                                        (LineStatus, SmsDeliveryReport))
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sms-outbox")

    async def stop(self) -> None:
        if self._sub is not None:
            self._bus.unsubscribe(self._sub)
            self._sub = None
        for task in list(self._side_tasks):
            task.cancel()
        await asyncio.gather(*self._side_tasks, return_exceptions=True)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def promise(self, number: str, text: str, ticket_id: int | None,
                      preferred_line: str | None) -> int:
        """Store the SMS (it is owed from now on, whatever happens) and have it sent."""
        sms_id = await self._store.call(queue_sms, number, text, ticket_id, preferred_line,
                                        self._clock.now())
        self._kick.set()
        return sms_id

    def wake(self) -> None:
        """Something was queued: look at the outbox now."""
        self._kick.set()

    async def send_due(self) -> int:
        """Try every SMS that is due now; how many were sent."""
        async with self._sending:
            sent = 0
            for sms in await self._store.call(due_sms, self._clock.now()):
                sent += await self._try(sms)
            return sent

    # --- inside -------------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if isinstance(event, LineStatus) and event.registered:
            self._beside(self._line_up())
        elif isinstance(event, SmsDeliveryReport):
            self._beside(self._reported(event))

    def _beside(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _line_up(self) -> None:
        if await self._store.call(try_all_now, self._clock.now()):
            self._kick.set()

    async def _run(self) -> None:
        while True:
            try:
                await self.send_due()
                wait = IDLE_CHECK_S
                due = await self._store.call(next_try, self._clock.now())
                if due is not None:
                    wait = min(max((due - self._clock.now()).total_seconds(), 0.5), wait)
            except StoreError as error:
                log.warning("SMS outbox: the database did not answer (%s); trying again", error)
                wait = IDLE_CHECK_S
            except Exception:  # one bad row or line must not end the sending for good
                log.exception("SMS outbox: sending failed; trying again")
                wait = IDLE_CHECK_S
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), wait)
            self._kick.clear()

    def _candidates(self, sms: QueuedSms) -> list[Line]:
        lines = [line for line in self._lines() if line.is_up and line.capabilities.sends_sms]
        lines.sort(key=lambda line: line.name != sms.preferred_line)  # the call's own line first
        return lines

    async def _try(self, sms: QueuedSms) -> int:
        now = self._clock.now()
        problems: list[str] = []
        for line in self._candidates(sms):
            try:
                references = await line.send_sms(sms.number, sms.text)
            except (LineFault, TimeoutError, OSError) as error:  # OSError: the port vanished
                log.warning("%s: SMS %d to %s failed: %s", line.name, sms.id, sms.number, error)
                problems.append(f"{line.name}: {error}")
                continue
            await self._store.call(mark_sent, sms.id, line.name, tuple(references), now)
            log.info("%s: promised SMS %d sent (try %d)", line.name, sms.id, sms.attempts + 1)
            await self._outgoing(sms, line.name)
            return 1
        reason = "; ".join(problems) or self._notes["no_line"]
        if now - sms.created_at >= GIVE_UP_AFTER:
            await self._store.call(mark_given_up, sms.id, reason)
            log.error("SMS %d to %s given up after %d tries: %s", sms.id, sms.number,
                      sms.attempts, reason)
            await self._note(sms.ticket_id, self._notes["given_up"].format(error=reason))
            return 0
        await self._store.call(mark_retry, sms.id, reason, now + retry_delay(sms.attempts + 1))
        log.warning("SMS %d to %s not sent yet (%s); it is tried again", sms.id, sms.number,
                    reason)
        if sms.attempts == 0:  # said once, at the first failed try
            await self._note(sms.ticket_id, self._notes["waiting"].format(error=reason))
        return 0

    async def _outgoing(self, sms: QueuedSms, line: str) -> None:
        """The SMS as sent, in the ticket's (and so the customer's) history."""
        if sms.ticket_id is None:
            return
        await self._add(sms.ticket_id, MessageDraft(
            channel="sms", direction="out", body_text=sms.text, recipients=sms.number,
            sender=line))
        await self._note(sms.ticket_id, self._notes["sent"].format(line=line))

    async def _reported(self, event: SmsDeliveryReport) -> None:
        try:
            matched = await self._store.call(match_report, event.line, event.number,
                                             event.reference, event.outcome, event.at)
        except StoreError as error:
            log.warning("SMS delivery report not recorded: %s", error)
            return
        if matched is None or event.outcome == "pending":
            return
        _sms_id, ticket_id = matched
        key = "delivered" if event.outcome == "delivered" else "not_delivered"
        await self._note(ticket_id, self._notes[key])

    async def _note(self, ticket_id: int | None, text: str) -> None:
        if ticket_id is not None:
            await self._add(ticket_id, MessageDraft(channel="note", direction="internal",
                                                    body_text=text))

    async def _add(self, ticket_id: int, draft: MessageDraft) -> None:
        try:
            await self._tickets.add_message(ticket_id, draft)
        except StoreError as error:  # the ticket was merged away or erased meanwhile
            log.info("ticket %d: %s not noted (%s)", ticket_id, draft.channel, error)

