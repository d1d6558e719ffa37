"""An agent takes a callback: the box dials the customer, then the agent; tries are recorded."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from appliance.calls.callback_desk import CallbackUnavailable
from appliance.calls.callback_records import pending_retries
from appliance.presence import Presence, set_presence
from appliance.spine.events import CallRecorded
from appliance.store.models import Call, ContactPoint, Customer, Message, Ticket

from .desk_harness import AGENT_PHONES, CALLER, Desk, start_desk, stop_desk


def _owed_callback() -> None:
    customer = Customer.create(name="Asiakas")
    ContactPoint.create(customer=customer, kind="phone", value=CALLER)
    Ticket.create(id=7, number=1007, channel="callback", subject="Soita takaisin",
                  customer=customer)


async def _ticket(desk: Desk) -> Ticket:
    await desk.settle()
    return await desk.query(lambda: Ticket.get_by_id(7))


async def test_taking_a_callback_dials_the_customer_then_connects_the_agent(
        tmp_path: Path) -> None:
    desk = await start_desk(tmp_path, seed=_owed_callback)
    try:
        flow_id = await desk.desk.take_callback(2, 7)
        await desk.dialled(CALLER)
        await desk.sim.remote_answers()
        await desk.dialled(AGENT_PHONES[1])
        await desk.sim.remote_answers()
        recorded = await desk.log.wait_for(CallRecorded)
        assert (recorded.call_id, recorded.outcome, recorded.agent_id) == (flow_id, "answered", 2)
        assert desk.traffic() == [f"ATD{CALLER};", "AT+CHLD=2", f"ATD{AGENT_PHONES[1]};",
                                  "AT+CHLD=4"]
        ticket = await _ticket(desk)
        assert ticket.status == "resolved"
        call = await desk.query(lambda: Call.get())
        assert (call.direction, call.outcome, call.ticket_id, call.agent_id) == (
            "out", "answered", 7, 2)
    finally:
        await stop_desk(desk)


async def test_a_customer_who_does_not_answer_gets_a_retry_on_the_schedule(
        tmp_path: Path) -> None:
    desk = await start_desk(tmp_path, seed=_owed_callback)
    try:
        await desk.desk.take_callback(2, 7)
        await desk.dialled(CALLER)
        await desk.sim.remote_no_answer()
        recorded = await desk.log.wait_for(CallRecorded)
        assert recorded.outcome == "no_answer"
        ticket = await _ticket(desk)
        assert ticket.status == "pending"  # out of the queue until the retry is due
        retries = await desk.query(pending_retries)
        assert set(retries) == {7}
        notes = await desk.query(lambda: [m.body_text for m in Message.select()])
        assert any("next try" in n for n in notes)
        assert desk.traffic() == [f"ATD{CALLER};"]
    finally:
        await stop_desk(desk)


async def test_when_the_tries_are_used_up_the_callback_stays_open_for_a_person(
        tmp_path: Path) -> None:
    desk = await start_desk(tmp_path, seed=_owed_callback, callback_retry_minutes=())
    try:
        await desk.desk.take_callback(2, 7)
        await desk.dialled(CALLER)
        await desk.sim.remote_busy()
        recorded = await desk.log.wait_for(CallRecorded)
        assert recorded.outcome == "busy"
        ticket = await _ticket(desk)
        assert ticket.status == "open"
        assert await desk.query(pending_retries) == {}
    finally:
        await stop_desk(desk)


async def test_a_callback_cannot_start_without_a_free_line(tmp_path: Path) -> None:
    desk = await start_desk(tmp_path, seed=_owed_callback)
    try:
        await desk.desk.take_callback(2, 7)
        await desk.dialled(CALLER)
        with pytest.raises(CallbackUnavailable, match="no line is free"):
            await desk.desk.take_callback(1, 7)
        with pytest.raises(CallbackUnavailable, match="an agent who is unknown"):
            await desk.desk.take_callback(99, 7)
        desk.set_agent(3, lambda s, now: set_presence(s, Presence.BUSY, now))
        with pytest.raises(CallbackUnavailable, match="an agent who is busy"):
            await desk.desk.take_callback(3, 7)
    finally:
        await stop_desk(desk)


async def test_a_retry_remembered_before_a_restart_reopens_the_callback(tmp_path: Path) -> None:
    def due_retry() -> None:
        from datetime import UTC, datetime, timedelta

        from appliance.calls.callback_records import save_retry

        _owed_callback()
        Ticket.update(status="pending").where(Ticket.id == 7).execute()
        save_retry(7, datetime.now(UTC) - timedelta(minutes=1))

    desk = await start_desk(tmp_path, seed=due_retry)
    try:
        async def status() -> str:
            await desk.settle()
            return str((await desk.query(lambda: Ticket.get_by_id(7))).status)

        for _ in range(50):
            if await status() == "open":
                break
            await asyncio.sleep(0.02)
        assert await status() == "open"
        assert await desk.query(pending_retries) == {}
    finally:
        await stop_desk(desk)
