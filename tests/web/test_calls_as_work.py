"""Calls as work on the page: a waiting caller's number, customer and wait; the after-call item
an agent fills when their answered call ends, which ends their wrap-up."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from aiohttp.test_utils import TestClient

from appliance.presence.states import Activity, AgentState
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallAnswered, CallEnded, CallOffered
from appliance.store.call_log import CallLog
from appliance.store.customers import CustomerDirectory
from appliance.store.models import AfterCall, Ticket
from appliance.store.tickets import TicketBook
from appliance.switchboard.switchboard import Switchboard
from appliance.web.frame.store_backend import StoreWebBackend
from tests.web.conftest import csrf_token_in, log_in

WAIT_S = 10.0
FINNISH = {"Accept-Language": "fi-FI,fi;q=0.9"}


async def _settled(bus: EventBus, board: Switchboard) -> None:
    await asyncio.wait_for(bus.drain(), WAIT_S)
    await asyncio.wait_for(board.caught_up(), WAIT_S)


async def test_a_waiting_caller_shows_number_customer_and_wait(
        client: TestClient, tickets: TicketBook, bus: EventBus, board: Switchboard,
        clock: ManualClock) -> None:
    directory = CustomerDirectory(tickets.worker.db)
    customer = await tickets.worker.call(directory.find_or_create_by_phone, "040 555 0101",
                                         name="<b>Matti</b> & Co")
    await log_in(client)
    offered = clock.now()
    bus.publish(CallOffered(at=offered, call_id="k1", line="gsm0", number="+358405550101"))
    bus.publish(CallOffered(at=offered, call_id="k2", line="gsm0", number="+358401112233"))
    bus.publish(CallOffered(at=offered, call_id="k3", line="gsm0", number=None,
                            number_status="withheld"))
    await _settled(bus, board)
    clock.advance(125)

    items = {i["item_id"]: i for i in (await (await client.get("/api/queue")).json())["items"]}
    known = items["call:k1"]
    assert (known["caller_number"], known["caller_number_shown"], known["customer_id"],
            known["customer"]) == ("+358405550101", "+358 40 5550101", customer.id,
                                   "<b>Matti</b> & Co")
    assert datetime.fromisoformat(known["waiting_since"]) == offered.replace(microsecond=0)
    assert (items["call:k2"]["caller_number_shown"], items["call:k2"]["customer_id"]) == (
        "+358 40 1112233", None)
    assert items["call:k3"]["caller_number"] is None

    rows = await (await client.get("/queue/rows")).text()
    assert "Caller +358 40 5550101" in rows
    assert f'<a href="/customers/{customer.id}">&lt;b&gt;Matti&lt;/b&gt; &amp; Co</a>' in rows
    assert "<b>Matti</b>" not in rows
    assert '<time class="waited"' in rows and ">2:05</time>" in rows
    assert "Caller, number withheld" in rows


async def _answered_call(bus: EventBus, board: Switchboard, clock: ManualClock,
                         agent_id: int, call_id: str = "p1") -> None:
    bus.publish(CallOffered(at=clock.now(), call_id=call_id, line="gsm0",
                            number="+358405550101"))
    clock.advance(6)
    bus.publish(CallAnswered(at=clock.now(), call_id=call_id, wait_seconds=6.0,
                             agent_id=agent_id))
    clock.advance(timedelta(minutes=4))
    board.change_presence(agent_id, _in_wrap_up, source="test")  # as the call flow does
    bus.publish(CallEnded(at=clock.now(), call_id=call_id, outcome="answered",
                          wait_seconds=6.0, talk_seconds=240.0))
    await _settled(bus, board)


def _in_wrap_up(state: AgentState, now: datetime) -> AgentState:
    return replace(state, activity=Activity.WRAP_UP, wrap_up_until=now + timedelta(minutes=5))


async def test_the_agent_writes_the_call_down_and_wrap_up_ends(
        client: TestClient, backend: StoreWebBackend, tickets: TicketBook, bus: EventBus,
        board: Switchboard, clock: ManualClock, admin_id: int) -> None:
    CallLog(tickets.worker.db, CustomerDirectory(tickets.worker.db),
            worker=tickets.worker).attach(bus)
    directory = CustomerDirectory(tickets.worker.db)
    customer = await tickets.worker.call(directory.find_or_create_by_phone, "040 555 0101",
                                         name="Matti")
    await log_in(client)
    await _answered_call(bus, board, clock, admin_id)
    assert board.agent(admin_id).activity_at(clock.now()) is Activity.WRAP_UP

    queue = await (await client.get("/")).text()
    item_id = await tickets.worker.call(lambda: AfterCall.get().id)
    assert f'href="/after-calls/{item_id}"' in queue and "Call with Matti" in queue
    assert "Matti" not in await (await client.get("/queue/rows")).text()  # not queue work
    form = await (await client.get(f"/after-calls/{item_id}")).text()
    token = csrf_token_in(form)

    too_long = await client.post(f"/after-calls/{item_id}", headers=FINNISH, data={
        "csrf_token": token, "notes": "x" * 10_240, "outcome": "solved"})
    assert too_long.status == 400
    refused = await too_long.text()
    assert "Mitä sovittiin: liian pitkä: enintään 4000 merkkiä" in refused
    assert "x" * 10_240 + "</textarea>" in refused  # nothing typed is lost
    assert 'value="solved" checked' in refused
    past = await client.post(f"/after-calls/{item_id}", headers=FINNISH, data={
        "csrf_token": token, "notes": "x", "outcome": "follow_up",
        "follow_up": "2020-01-01T09:00"})
    assert past.status == 400 and "pitää olla tulevaisuudessa" in await past.text()
    assert 'value="2020-01-01T09:00"' in await past.text()
    assert board.agent(admin_id).activity_at(clock.now()) is Activity.WRAP_UP  # nothing saved

    follow_up = (clock.now() + timedelta(days=1)).astimezone(backend.zone)
    saved = await client.post(f"/after-calls/{item_id}", allow_redirects=False, data={
        "csrf_token": token, "notes": "Hyvitetään lasku 2291. <script>alert(1)</script>",
        "outcome": "follow_up", "follow_up": follow_up.strftime("%Y-%m-%dT%H:%M")})
    assert saved.status == 303 and saved.headers["Location"] == f"/customers/{customer.id}"
    assert board.agent(admin_id).activity_at(clock.now()) is Activity.IDLE

    history = await (await client.get(f"/customers/{customer.id}")).text()
    assert "Hyvitetään lasku 2291. &lt;script&gt;" in history
    assert "follow-up needed" in history
    ticket = await tickets.worker.call(lambda: Ticket.get(Ticket.channel == "call"))
    assert (ticket.status, ticket.assignee_id, ticket.customer_id) == (
        "pending", admin_id, customer.id)
    assert f'href="/tickets/{ticket.number}"' in history
    again = await client.post(f"/api/after-calls/{item_id}", json={"outcome": "other"},
                              headers={"X-CSRF-Token": token})
    assert again.status == 400
    assert "Call with Matti" not in await (await client.get("/")).text()


async def test_another_agent_cannot_see_or_save_the_item(
        client: TestClient, tickets: TicketBook, bus: EventBus, board: Switchboard,
        clock: ManualClock, admin_id: int, accounts: object) -> None:
    CallLog(tickets.worker.db, CustomerDirectory(tickets.worker.db),
            worker=tickets.worker).attach(bus)
    other = await tickets.worker.call(accounts.add_user, "Bertta", "bertta",  # type: ignore[attr-defined]
                                      "agent", "bertta-salasana-1")
    await board.roster_changed(int(other.id), "added")
    await _answered_call(bus, board, clock, int(other.id))
    item_id = await tickets.worker.call(lambda: AfterCall.get().id)
    token = await log_in(client)
    assert (await client.get(f"/after-calls/{item_id}")).status == 404
    refused = await client.post(f"/after-calls/{item_id}", data={
        "csrf_token": token, "notes": "mine now", "outcome": "solved"})
    assert refused.status == 404
    assert await tickets.worker.call(lambda: AfterCall.get().saved_at) is None
