"""Who is handed what: "take the next one", ringing and presence changes, all through one owner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from appliance.ports.work_refusal import NothingToTake, WorkRefused
from appliance.presence.states import Activity, AgentState, Presence
from appliance.presence.transitions import call_ended, call_started, set_presence, start_ringing
from appliance.queue.call_commands import StopRinging
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallOffered, PresenceChanged
from appliance.store.accounts import Accounts
from appliance.store.models import Ticket
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard


def _presence(presence: Presence) -> Callable[..., AgentState]:
    return lambda state, now: set_presence(state, presence, now)


def _ringing(state: AgentState, now: object) -> AgentState:
    return start_ringing(set_presence(state, Presence.AVAILABLE, now), "call:x", now)  # type: ignore[arg-type]


def _on_call(state: AgentState, now: object) -> AgentState:
    return call_started(_ringing(state, now), now)  # type: ignore[arg-type]


def _wrap_up(state: AgentState, now: object) -> AgentState:
    return call_ended(_on_call(state, now), now, 60)  # type: ignore[arg-type]


STATES: dict[str, Callable[..., AgentState]] = {
    "busy": _presence(Presence.BUSY),
    "away": _presence(Presence.AWAY),
    "offline": _presence(Presence.OFFLINE),
    "ringing": _ringing,
    "on_call": _on_call,
    "wrap_up": _wrap_up,
}
CHANNELS = ("email", "sms", "callback", "call")  # stored tickets of every channel


class Office:
    """Two agents, a store, a bus and the switchboard filing one ticket book's writes."""

    def __init__(self, store: StoreWorker, clock: ManualClock) -> None:
        self.store = store
        self.clock = clock
        self.bus = EventBus()
        self.board = Switchboard(store, self.bus, clock)
        self.tickets = TicketBook(store.db, self.bus, clock, worker=store)
        self.heard: list[PresenceChanged] = []
        self.bus.subscribe("heard", self.heard.append, (PresenceChanged,))

    async def start(self) -> tuple[int, int]:
        accounts = Accounts(self.store.db, self.clock)
        anna = await self.store.call(accounts.add_user, "Anna", "anna", "agent", "anna-pass-1")
        pekka = await self.store.call(accounts.add_user, "Pekka", "pekka", "agent",
                                      "pekka-pass-1")
        await self.board.load()
        self.board.use_tickets(self.tickets)
        self.board.attach()
        self.bus.start()
        return int(anna.id), int(pekka.id)

    async def assignee(self, ticket_id: int) -> int | None:
        return await self.store.call(lambda: Ticket.get_by_id(ticket_id).assignee_id)


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[Office]:
    db = open_store(tmp_path / "aspa.db")
    db.close()
    store = StoreWorker(db)
    made = Office(store, ManualClock())
    yield made
    await made.bus.stop()
    store.close()


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("state", sorted(STATES))
async def test_an_agent_who_is_not_free_is_handed_nothing(
        office: Office, state: str, channel: str) -> None:
    anna, _ = await office.start()
    ticket = await office.tickets.open_ticket(channel, f"a {channel} ticket")
    office.board.change_presence(anna, STATES[state], source="test")
    with pytest.raises(WorkRefused) as refused:
        await office.board.take_next(anna)
    assert refused.value.reason == state
    assert await office.assignee(ticket.id) is None
    assert office.board.next_for(anna) is None  # and nothing is offered either


@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_available_agent_takes_the_top_ticket_of_any_channel(
        office: Office, channel: str) -> None:
    anna, _ = await office.start()
    ticket = await office.tickets.open_ticket(channel, f"a {channel} ticket")
    office.board.change_presence(anna, _presence(Presence.AVAILABLE), source="web")
    number = await office.board.take_next(anna)
    assert number == ticket.number
    assert await office.assignee(ticket.id) == anna


async def test_live_calls_are_not_taken_from_the_page(office: Office) -> None:
    anna, _ = await office.start()
    office.board.change_presence(anna, _presence(Presence.AVAILABLE), source="web")
    office.bus.publish(CallOffered(at=office.clock.now(), call_id="c1", line="gsm0",
                                   number="+358401234567"))
    await office.bus.drain()
    with pytest.raises(NothingToTake):
        await office.board.take_next(anna)


async def test_wrap_up_ends_by_itself_and_then_work_is_handed_over(office: Office) -> None:
    anna, _ = await office.start()
    ticket = await office.tickets.open_ticket("email", "after the call")
    office.board.change_presence(anna, _wrap_up, source="routing")
    with pytest.raises(WorkRefused, match="wrap up"):
        await office.board.take_next(anna)
    office.clock.advance(timedelta(seconds=61))
    assert await office.board.take_next(anna) == ticket.number


async def test_two_agents_taking_at_once_never_get_the_same_ticket(office: Office) -> None:
    anna, pekka = await office.start()
    first = await office.tickets.open_ticket("email", "first")
    second = await office.tickets.open_ticket("email", "second")
    for agent in (anna, pekka):
        office.board.change_presence(agent, _presence(Presence.AVAILABLE), source="web")
    numbers = await asyncio.gather(office.board.take_next(anna), office.board.take_next(pekka))
    assert sorted(numbers) == sorted([first.number, second.number])
    assert {await office.assignee(first.id), await office.assignee(second.id)} == {anna, pekka}


async def test_a_press_before_the_ring_wins_and_a_ring_before_the_press_stands(
        office: Office) -> None:
    """A button press, a click and a routing decision for one agent, in either order."""
    anna, pekka = await office.start()
    ticket = await office.tickets.open_ticket("email", "waiting mail")
    for agent in (anna, pekka):
        office.board.change_presence(agent, _presence(Presence.AVAILABLE), source="web")
    # Routing chose Anna from a snapshot; her "busy" press lands before the claim.
    chosen = [a for a, s in office.board.agents().items() if s.presence is Presence.AVAILABLE]
    assert anna in chosen
    office.board.change_presence(anna, _presence(Presence.BUSY), source="button")
    assert office.board.claim_ringing("c1", [anna, pekka]) == (pekka,)
    state = office.board.agent(anna)
    assert state is not None and state.activity is Activity.IDLE  # never rung
    # Pekka rings now: his click on "take the next one" is refused, whatever he clicks.
    with pytest.raises(WorkRefused, match="ringing"):
        await office.board.take_next(pekka)
    # He presses "busy" while ringing: the ring stands, and he is still offered nothing.
    office.board.change_presence(pekka, _presence(Presence.BUSY), source="button")
    ringing = office.board.agent(pekka)
    assert ringing is not None and ringing.activity is Activity.RINGING
    assert office.board.claim_ringing("c2", [pekka]) == ()
    # The ring ends unanswered: busy was his word, so still nothing; the mail waits.
    office.board.apply_call_command("c1", StopRinging((pekka,)))
    with pytest.raises(WorkRefused, match="busy"):
        await office.board.take_next(pekka)
    assert await office.assignee(ticket.id) is None
    await office.bus.drain()
    sources = [(e.agent_id, e.presence, e.activity, e.source) for e in office.heard]
    assert (anna, "busy", "idle", "button") in sources
    assert (pekka, "available", "ringing", "routing") in sources
