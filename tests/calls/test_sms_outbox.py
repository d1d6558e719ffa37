"""The SMS promised to a caller is owed until a line sends it: across a modem unplug, across a
restart, with the outcome on the callback item; given up (and said so) only after a day."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from appliance.calls.sms_outbox import GIVE_UP_AFTER, SmsOutbox, retry_delay
from appliance.queue.call_setup import SMS_TEXTS
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallRecorded
from appliance.store.models import Message, SmsOutboxEntry, Ticket
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker

from .exchange_harness import AGENT_PHONES, CALLER, start_exchange, stop_exchange


def _outbox_and_ticket() -> tuple[list[SmsOutboxEntry], list[tuple[str, str, str]]]:
    rows = list(SmsOutboxEntry.select().order_by(SmsOutboxEntry.id))
    ticket = Ticket.get()
    messages = [(m.channel, m.direction, m.body_text)
                for m in Message.select().where(Message.ticket == ticket).order_by(Message.id)]
    return rows, messages


async def _stored(exchange, check):  # type: ignore[no-untyped-def]
    """The outbox and the ticket once `check(rows, messages)` holds (waiting up to 10 s)."""
    for _ in range(200):
        rows, messages = await exchange.query(_outbox_and_ticket)
        if check(rows, messages):
            return rows, messages
        await asyncio.sleep(0.05)
    raise AssertionError(f"never came true; last seen: {rows!r} {messages!r}")


async def _cut_mid_call(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A caller is put through to an agent; the modem is unplugged mid-call."""
    exchange = await start_exchange(tmp_path, prepare=lambda sim: sim.network_rejects.add("ect"))
    await exchange.sim.incoming_call(CALLER)
    await exchange.dialled(AGENT_PHONES[0])
    await exchange.sim.remote_answers()
    await exchange.wait_command("AT+CHLD=3")
    await exchange.sim.unplug()
    recorded = await exchange.log.wait_for(CallRecorded, within=5.0)
    assert recorded.outcome == "interrupted"
    await exchange.settle()
    # tried at once, and failed: no line is up
    await _stored(exchange, lambda rows, messages: messages[-1][0] == "note")
    return exchange


async def test_the_sms_owed_after_an_unplug_goes_out_when_the_modem_is_back(
        tmp_path: Path) -> None:
    exchange = await _cut_mid_call(tmp_path)
    try:
        rows, messages = await _stored(exchange, lambda rows, messages: messages[-1][0] == "note")
        assert [(r.state, r.number, r.attempts) for r in rows] == [("queued", CALLER, 1)]
        assert "linja ei ole käytössä" in rows[0].last_error  # the box speaks Finnish here
        assert "ei vielä saatu lähetettyä" in messages[-1][2]
        assert exchange.sim.sent_sms == []

        await exchange.sim.replug()  # the cable back in: the line comes up ...
        await exchange.until(lambda: exchange.sent_sms() == [(CALLER, SMS_TEXTS["fi"])],
                             within=10.0)  # ... and the SMS goes without waiting for its timer
        rows, messages = await _stored(exchange, lambda rows, messages: "lähetetty (linja" in
                                       messages[-1][2])
        assert [(r.state, r.line, r.attempts) for r in rows] == [("sent", "gsm0", 2)]
        assert ("sms", "out", SMS_TEXTS["fi"]) in messages  # in the customer's history
        assert "lähetetty (linja gsm0)" in messages[-1][2]

        # the network reports it delivered: the callback item says so
        reference = rows[0].references[0]
        await exchange.sim.delivery_report(reference, CALLER, status=0)

        rows, messages = await _stored(exchange, lambda rows, messages: "toimitettu" in
                                       messages[-1][2])
        assert rows[0].state == "delivered"
        assert messages[-1] == ("note", "internal", "Tekstiviesti toimitettu soittajalle.")
    finally:
        await stop_exchange(exchange)


async def test_the_sms_owed_survives_a_restart_of_the_box(tmp_path: Path) -> None:
    exchange = await _cut_mid_call(tmp_path)
    await stop_exchange(exchange)  # the box goes down with the SMS still owed

    restarted = await start_exchange(tmp_path)  # the modem is plugged in this time
    try:
        await restarted.until(lambda: restarted.sent_sms() == [(CALLER, SMS_TEXTS["fi"])],
                              within=10.0)
        rows, messages = await _stored(restarted, lambda rows, messages: "lähetetty (linja" in
                                       messages[-1][2])
        assert [(r.state, r.attempts) for r in rows] == [("sent", 2)]
        assert ("sms", "out", SMS_TEXTS["fi"]) in messages
    finally:
        await stop_exchange(restarted)


def test_tries_wait_longer_each_time_up_to_half_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        30, 60, 120, 240, 480, 960, 1800, 1800]


async def test_an_sms_no_line_could_send_for_a_day_is_given_up_and_said_so(
        tmp_path: Path) -> None:
    db = open_store(tmp_path / "aspa.db")
    worker = StoreWorker(db)
    clock = ManualClock()
    bus = EventBus()
    bus.start()
    tickets = TicketBook(db, bus, clock, worker=worker)
    outbox = SmsOutbox(worker, tickets, bus, clock, lambda: [], "en")  # no line at all
    try:
        ticket = await tickets.open_ticket("callback", "Call back +358401234567", None, "normal")
        await outbox.promise(CALLER, "We will call you back.", int(ticket.id), "gsm0")
        tries = 0
        while await worker.call(lambda: SmsOutboxEntry.get().state) == "queued":
            assert await outbox.send_due() == 0
            tries += 1
            due = await worker.call(lambda: SmsOutboxEntry.get().next_try_at)
            clock.set(max(due, clock.now()))
            assert tries < 100
        row = await worker.call(SmsOutboxEntry.get)
        assert row.state == "given_up"
        assert clock.now() - row.created_at >= GIVE_UP_AFTER
        assert clock.now() - row.created_at < GIVE_UP_AFTER + timedelta(minutes=31)
        assert 45 < tries < 60  # 30 s, 1 min, ... then every half hour for a day

        def notes() -> list[str]:
            return [m.body_text for m in Message.select().where(Message.channel == "note")
                    .order_by(Message.id)]

        said = await worker.call(notes)
        assert len(said) == 2  # once when it first failed, once when given up
        assert "not sent yet" in said[0]
        assert "could not be sent within a day" in said[1] and "call the customer" in said[1]
    finally:
        await outbox.stop()
        await bus.stop()
        worker.close()
