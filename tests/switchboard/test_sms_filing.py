"""Incoming SMS become messages on the sender's SMS thread exactly once; the rest is quarantined."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.ports.sms_inbox import IncomingSms
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import Event, Quarantined
from appliance.store.models import Message, Quarantine, Ticket
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.sms_filing import SmsIntake, sms_key

SENT = datetime(2026, 1, 5, 7, 59, tzinfo=UTC)


class Box:
    """The intake on a real store, with what it published."""

    def __init__(self, store: StoreWorker, bus: EventBus, clock: ManualClock) -> None:
        self.store = store
        self.bus = bus
        self.clock = clock
        self.events: list[Event] = []
        bus.subscribe("test", self.events.append)
        self.tickets = TicketBook(store.db, bus, clock, worker=store)
        self.intake = SmsIntake(store.db, bus, clock, store, self.tickets)

    async def sms(self, number: str, text: str, *, minutes: int = 0, **extra: object) -> None:
        message = IncomingSms(line="gsm0", number=number, text=text,
                              timestamp=SENT + timedelta(minutes=minutes),
                              received_at=self.clock.now(), sim_indexes=(1,),
                              raw_pdus=("0791",), **extra)  # type: ignore[arg-type]
        await self.intake(message)
        await self.bus.drain()


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Box]:
    db = open_store(tmp_path / "aspa.db")
    db.close()
    store = StoreWorker(db)
    bus = EventBus()
    bus.start()
    yield Box(store, bus, ManualClock())
    await bus.stop()
    store.close()


def _tickets() -> list[tuple[str, str, str]]:
    return [(t.channel, t.subject, t.status) for t in Ticket.select().order_by(Ticket.id)]


def _bodies(ticket_subject: str) -> list[str]:
    query = Message.select().join(Ticket).where(Ticket.subject == ticket_subject)
    return [m.body_text for m in query.order_by(Message.id)]


async def test_messages_from_one_number_make_one_thread(box: Box) -> None:
    await box.sms("+358401234567", "Hello, is my order ready?")
    await box.sms("0401234567", "It is order 5531.", minutes=1)  # the same number, local form
    await box.sms("+358509876543", "Another customer here")
    assert await box.store.call(_tickets) == [
        ("sms", "Hello, is my order ready?", "new"),
        ("sms", "Another customer here", "new"),
    ]
    assert await box.store.call(_bodies, "Hello, is my order ready?") == [
        "Hello, is my order ready?", "It is order 5531."]


async def test_the_same_message_delivered_twice_is_stored_once(box: Box) -> None:
    # the modem deletes a message only after the sink returns: a crash between the
    # commit and AT+CMGD hands the same message in again at the next start
    await box.sms("+358401234567", "Only once, please")
    await box.sms("+358401234567", "Only once, please")
    assert await box.store.call(_bodies, "Only once, please") == ["Only once, please"]


async def test_a_reply_to_a_resolved_thread_reopens_it(box: Box) -> None:
    await box.sms("+358401234567", "Printer broken")
    ticket_id = await box.store.call(lambda: Ticket.get().id)
    await box.tickets.change_status(ticket_id, "resolved")
    await box.sms("+358401234567", "Broken again", minutes=5)
    assert await box.store.call(_tickets) == [("sms", "Printer broken", "open")]


async def test_an_undecodable_or_senderless_message_is_quarantined(box: Box) -> None:
    await box.sms("", "", error="undecodable PDU: bad length")
    await box.sms("", "Who sent this?")
    rows = await box.store.call(
        lambda: [(q.source, q.reason, bytes(q.raw)) for q in Quarantine.select()])
    assert rows == [("sms:gsm0", "undecodable PDU: bad length", b"0791"),
                    ("sms:gsm0", "no sender number", b"0791")]
    assert await box.store.call(_tickets) == []
    assert [e.reason for e in box.events if isinstance(e, Quarantined)] == [r[1] for r in rows]


async def test_an_alphanumeric_sender_gets_a_thread_too(box: Box) -> None:
    await box.sms("Posti", "Your parcel is at the pick-up point")
    assert await box.store.call(_tickets) == [
        ("sms", "Your parcel is at the pick-up point", "new")]


def test_the_key_tells_messages_apart() -> None:
    def message(text: str, minutes: int) -> IncomingSms:
        return IncomingSms("gsm0", "+358401234567", text, SENT + timedelta(minutes=minutes),
                           SENT, (1,), ("",))

    assert sms_key(message("hi", 0)) == sms_key(message("hi", 0))
    assert sms_key(message("hi", 0)) != sms_key(message("hi", 1))
    assert sms_key(message("hi", 0)) != sms_key(message("hi!", 0))
