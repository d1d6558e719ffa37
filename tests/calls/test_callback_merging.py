"""Missed calls from a number that is owed a callback already: one callback item, every attempt
noted on it; a new one only once that callback is done, or for another number."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from appliance.calls.callback_records import pending_retries, save_retry
from appliance.presence import Presence, set_presence
from appliance.presence.channel import Channel
from appliance.queue.call_setup import FlowRules
from appliance.spine.events import CallRecorded
from appliance.store.models import Call, Customer, Message, Ticket
from appliance.store.work_items import ticket_id_of

from .exchange_harness import CALLER, RunningExchange, add_line, start_exchange, stop_exchange

OTHER_CALLER = "+358409876543"


async def nobody_answers(tmp_path: Path) -> RunningExchange:
    """An exchange whose agents are all away: every call overflows into a callback at once."""
    exchange = await start_exchange(tmp_path, rules=FlowRules(sms_on_callback=False))
    for agent in (1, 2, 3):
        exchange.set_agent(agent, lambda s, now: set_presence(s, Presence.AWAY, now))
    return exchange


async def missed_call(exchange: RunningExchange, number: str) -> None:
    """One call from `number` that nobody takes, recorded."""
    before = len(exchange.log.of(CallRecorded))
    await exchange.sim.incoming_call(number)
    await exchange.log.wait_for(CallRecorded, lambda e: len(exchange.log.of(CallRecorded)) > before,
                                within=4.0)
    await exchange.settle()


def callback_items(exchange: RunningExchange) -> list[int | None]:
    """The ticket ids of the callback items in the switchboard's queue, in queue order."""
    return [ticket_id_of(item.id)
            for item in exchange.board.items(where=lambda i: i.kind is Channel.CALLBACK)]


async def test_three_missed_calls_from_one_number_make_one_callback_with_three_attempts(
        tmp_path: Path) -> None:
    exchange = await nobody_answers(tmp_path)
    try:
        for _ in range(3):
            await missed_call(exchange, CALLER)

        def read() -> tuple[list[Ticket], list[Call], list[str]]:
            tickets = list(Ticket.select().where(Ticket.channel == "callback"))
            calls = list(Call.select().order_by(Call.id))
            notes = [m.body_text for m in Message.select().where(Message.channel == "note")
                     .order_by(Message.id)]
            return tickets, calls, notes

        tickets, calls, notes = await exchange.query(read)
        assert len(tickets) == 1
        (ticket,) = tickets
        assert [(c.number, c.outcome, c.ticket_id) for c in calls] == [
            (CALLER, "overflowed", ticket.id)] * 3
        assert len(notes) == 2  # the first call opened the item; the next two are noted on it
        assert all(n.startswith("Soitti uudelleen ") and "ketään ei ollut paikalla" in n
                   for n in notes)
        assert callback_items(exchange) == [ticket.id]
    finally:
        await stop_exchange(exchange)


async def test_a_done_callback_is_not_reused_and_another_number_gets_its_own(
        tmp_path: Path) -> None:
    exchange = await nobody_answers(tmp_path)
    try:
        await missed_call(exchange, CALLER)
        await missed_call(exchange, OTHER_CALLER)

        first = await exchange.query(lambda: int(
            Ticket.get(Ticket.channel == "callback", Ticket.subject.contains(CALLER)).id))
        await exchange.exchange.tickets.change_status(first, "resolved", by=1)  # called back
        await exchange.settle()
        assert first not in callback_items(exchange)
        await missed_call(exchange, CALLER)

        def read() -> list[tuple[str, str]]:
            return [(t.subject, t.status) for t in Ticket.select().order_by(Ticket.id)]

        rows = await exchange.query(read)
        assert len(rows) == 3
        assert rows[0][1] == "resolved" and CALLER in rows[0][0]
        assert OTHER_CALLER in rows[1][0] and CALLER in rows[2][0]
        notes = await exchange.query(
            lambda: Message.select().where(Message.channel == "note").count())
        assert notes == 0
        assert len(callback_items(exchange)) == 2 and first not in callback_items(exchange)
    finally:
        await stop_exchange(exchange)


async def test_a_callback_waiting_for_its_next_try_comes_back_when_the_caller_calls_again(
        tmp_path: Path) -> None:
    exchange = await nobody_answers(tmp_path)
    try:
        await missed_call(exchange, CALLER)
        ticket_id = await exchange.query(lambda: int(Ticket.get(Ticket.channel == "callback").id))
        later = exchange.exchange.clock.now() + timedelta(hours=2)
        await exchange.query(lambda: save_retry(ticket_id, later))
        await exchange.exchange.tickets.change_status(ticket_id, "pending")
        await exchange.settle()
        assert callback_items(exchange) == []

        await missed_call(exchange, CALLER)
        assert await exchange.query(lambda: Ticket.get_by_id(ticket_id).status) == "open"
        assert await exchange.query(pending_retries) == {}  # the later try is not needed
        assert callback_items(exchange) == [ticket_id]
    finally:
        await stop_exchange(exchange)


async def test_a_caller_who_became_a_vip_raises_the_callback_owed_to_high(
        tmp_path: Path) -> None:
    exchange = await nobody_answers(tmp_path)
    try:
        await missed_call(exchange, CALLER)

        def make_vip() -> None:
            ticket = Ticket.get(Ticket.channel == "callback")
            assert ticket.priority == "normal"
            Customer.update(vip=True).where(Customer.id == ticket.customer_id).execute()

        await exchange.query(make_vip)
        await missed_call(exchange, CALLER)
        priorities = await exchange.query(lambda: [t.priority for t in Ticket.select()])
        assert priorities == ["high"]
    finally:
        await stop_exchange(exchange)


async def test_the_same_number_missed_on_two_lines_at_once_makes_one_callback(
        tmp_path: Path) -> None:
    exchange = await nobody_answers(tmp_path)
    second = await add_line(exchange, tmp_path, "gsm1")
    try:
        await asyncio.gather(exchange.sim.incoming_call(CALLER),
                             second.sim.incoming_call(CALLER))
        await exchange.log.wait_for(CallRecorded, lambda e: len(exchange.log.of(CallRecorded)) >= 2,
                                    within=4.0)
        await exchange.settle()
        tickets = await exchange.query(
            lambda: [t.id for t in Ticket.select().where(Ticket.channel == "callback")])
        calls = await exchange.query(lambda: [c.ticket_id for c in Call.select()])
        assert len(tickets) == 1 and calls == tickets * 2
    finally:
        await second.stop()
        await stop_exchange(exchange)
