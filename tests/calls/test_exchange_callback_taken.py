"""An agent takes a callback: the box dials the customer, then the agent; tries are recorded."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from appliance.calls.callback_records import pending_retries
from appliance.calls.callbacks import CallbackUnavailable
from appliance.presence import Presence, set_presence
from appliance.spine.events import CallRecorded
from appliance.store.models import Call, ContactPoint, Customer, Message, Ticket

from .exchange_harness import AGENT_PHONES, CALLER, RunningExchange, start_exchange, stop_exchange


def _owed_callback() -> None:
    customer = Customer.create(name="Asiakas")
    ContactPoint.create(customer=customer, kind="phone", value=CALLER)
    Ticket.create(id=7, number=1007, channel="callback", subject="Soita takaisin",
                  customer=customer)


async def _ticket(exchange: RunningExchange) -> Ticket:
    await exchange.settle()
    return await exchange.query(lambda: Ticket.get_by_id(7))


async def test_taking_a_callback_dials_the_customer_then_connects_the_agent(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, seed=_owed_callback)
    try:
        flow_id = await exchange.exchange.take_callback(2, 7)
        await exchange.dialled(CALLER)
        await exchange.sim.remote_answers()
        await exchange.dialled(AGENT_PHONES[1])
        await exchange.sim.remote_answers()
        recorded = await exchange.log.wait_for(CallRecorded)
        assert (recorded.call_id, recorded.outcome, recorded.agent_id) == (flow_id, "answered", 2)
        assert exchange.traffic() == [f"ATD{CALLER};", "AT+CHLD=2", f"ATD{AGENT_PHONES[1]};",
                                  "AT+CHLD=4"]
        ticket = await _ticket(exchange)
        assert ticket.status == "resolved"
        call = await exchange.query(lambda: Call.get())
        assert (call.direction, call.outcome, call.ticket_id, call.agent_id) == (
            "out", "answered", 7, 2)
    finally:
        await stop_exchange(exchange)


async def test_a_customer_who_does_not_answer_gets_a_retry_on_the_schedule(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, seed=_owed_callback)
    try:
        await exchange.exchange.take_callback(2, 7)
        await exchange.dialled(CALLER)
        await exchange.sim.remote_no_answer()
        recorded = await exchange.log.wait_for(CallRecorded)
        assert recorded.outcome == "no_answer"
        ticket = await _ticket(exchange)
        assert ticket.status == "pending"  # out of the queue until the retry is due
        retries = await exchange.query(pending_retries)
        assert set(retries) == {7}
        notes = await exchange.query(lambda: [m.body_text for m in Message.select()])
        assert any("next try" in n for n in notes)
        assert exchange.traffic() == [f"ATD{CALLER};"]
    finally:
        await stop_exchange(exchange)


async def test_when_the_tries_are_used_up_the_callback_stays_open_for_a_person(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, seed=_owed_callback, callback_retry_minutes=())
    try:
        await exchange.exchange.take_callback(2, 7)
        await exchange.dialled(CALLER)
        await exchange.sim.remote_busy()
        recorded = await exchange.log.wait_for(CallRecorded)
        assert recorded.outcome == "busy"
        ticket = await _ticket(exchange)
        assert ticket.status == "open"
        assert await exchange.query(pending_retries) == {}
    finally:
        await stop_exchange(exchange)


async def test_a_callback_cannot_start_without_a_free_line(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, seed=_owed_callback)
    try:
        await exchange.exchange.take_callback(2, 7)
        await exchange.dialled(CALLER)
        with pytest.raises(CallbackUnavailable, match="no line is free"):
            await exchange.exchange.take_callback(1, 7)
        with pytest.raises(CallbackUnavailable, match="an agent who is unknown"):
            await exchange.exchange.take_callback(99, 7)
        exchange.set_agent(3, lambda s, now: set_presence(s, Presence.BUSY, now))
        with pytest.raises(CallbackUnavailable, match="an agent who is busy"):
            await exchange.exchange.take_callback(3, 7)
    finally:
        await stop_exchange(exchange)


async def test_a_retry_remembered_before_a_restart_reopens_the_callback(tmp_path: Path) -> None:
    def due_retry() -> None:
        from datetime import UTC, datetime, timedelta

        from appliance.calls.callback_records import save_retry

        _owed_callback()
        Ticket.update(status="pending").where(Ticket.id == 7).execute()
        save_retry(7, datetime.now(UTC) - timedelta(minutes=1))

    exchange = await start_exchange(tmp_path, seed=due_retry)
    try:
        async def status() -> str:
            await exchange.settle()
            return str((await exchange.query(lambda: Ticket.get_by_id(7))).status)

        for _ in range(50):
            if await status() == "open":
                break
            await asyncio.sleep(0.02)
        assert await status() == "open"
        assert await exchange.query(pending_retries) == {}
    finally:
        await stop_exchange(exchange)
