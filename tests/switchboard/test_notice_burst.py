"""A burst of SLA breaches is recorded a batch at a time: one store transaction for many
events, every notice still once by its key, choices saved between bursts followed by the
next, and an event that fails its batch costs only its own notices.

Transactions are counted at the store's own connection (SQLite's statement trace): each
BEGIN the notifier's recording made, not a timing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from appliance.queue.notice_rules import NoticeWay
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import AgentNotified, Event, SlaBreached
from appliance.store.models import Agent, NoticeLogEntry, Ticket
from appliance.store.notice_choices import StoredChoices, save_choices
from appliance.store.worker import StoreWorker
from appliance.switchboard.notifier import BATCH_EVENTS, Notifier
from tests.switchboard.notice_box import MONDAY_NOON, OFFICE

AGENTS = 10
BREACHED = 300  # more than one batch


class StatementTrace:
    """The SQL the store thread's connection runs, as SQLite reports it."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    async def attach(self, store: StoreWorker) -> None:
        await store.call(lambda: store.db.connection().set_trace_callback(self.statements.append))

    def transactions(self) -> int:
        return sum(1 for s in self.statements if s.strip().upper().startswith("BEGIN"))

    def notice_inserts(self) -> int:
        return sum(1 for s in self.statements if s.lstrip().upper().startswith(
            'INSERT INTO "NOTICE_LOG_ENTRY"'))


class BurstBox:
    """Agents, breached tickets, the bus and the notifier (the page the agents' way)."""

    def __init__(self, store: StoreWorker) -> None:
        self.store = store
        self.clock = ManualClock(MONDAY_NOON)
        self.bus = EventBus()
        self.events: list[Event] = []
        self.bus.subscribe("test", self.events.append)
        self.notifier = Notifier(store, self.bus, self.clock, OFFICE,
                                 senders={NoticeWay.EMAIL: self._unsent})
        self.agents: list[int] = []
        self.tickets: list[int] = []

    async def _unsent(self, _notice: object) -> None:
        raise AssertionError("SLA notices wait for send_due; none is sent here")

    async def fill(self) -> None:
        def fill() -> tuple[list[int], list[int]]:
            with self.store.db.atomic():
                agents = [int(Agent.create(login=f"agent{i}", name=f"Agent {i}").id)
                          for i in range(AGENTS)]
                tickets = [int(Ticket.create(number=1001 + i, channel="email",
                                             subject=f"Tilaus {i}", status="open").id)
                           for i in range(BREACHED)]
            return agents, tickets
        self.agents, self.tickets = await self.store.call(fill)

    def breaches(self, due: datetime) -> list[SlaBreached]:
        return [SlaBreached(at=self.clock.now(), ticket_id=ticket_id, due=due - timedelta(
            minutes=n), assignee_id=None, tell_team=True) for n, ticket_id in
                enumerate(self.tickets)]

    async def burst(self, events: list[SlaBreached]) -> None:
        for event in events:  # at once, as an escalation round publishes them
            self.bus.publish(event)
        await self.bus.drain()

    async def rows(self) -> list[tuple[str, int, str, str]]:
        return await self.store.call(lambda: [
            (str(e.key), int(e.agent_id), str(e.way), str(e.state)) for e in
            NoticeLogEntry.select().where(NoticeLogEntry.agent.is_null(False))])

    def told(self) -> list[tuple[int | None, str, str]]:
        return [(e.agent_id, e.notice, e.way) for e in self.events
                if isinstance(e, AgentNotified)]


@pytest.fixture
async def box(store: StoreWorker) -> AsyncIterator[BurstBox]:
    made = BurstBox(store)
    await made.fill()
    await made.notifier.start()
    made.bus.start()
    try:
        yield made
    finally:
        await made.notifier.stop()
        await made.bus.stop()


async def test_a_burst_is_recorded_in_far_fewer_transactions_than_events(
        box: BurstBox) -> None:
    trace = StatementTrace()
    await trace.attach(box.store)
    await box.burst(box.breaches(MONDAY_NOON))

    rows = await box.rows()
    assert len(rows) == BREACHED * AGENTS
    assert len({key for key, *_ in rows}) == BREACHED * AGENTS
    assert {state for *_, state in rows} == {"page"}
    assert len(box.told()) == BREACHED * AGENTS  # each agent told on the page, once a notice
    batches = -(-BREACHED // BATCH_EVENTS)
    assert box.notifier.transactions == batches
    # measured at the connection: one transaction a batch, not one a notice (3,000 here)
    assert 0 < trace.transactions() <= batches
    assert trace.notice_inserts() <= batches * 10


async def test_the_same_burst_again_is_told_no_one_and_saved_choices_apply_to_the_next(
        box: BurstBox) -> None:
    await box.burst(box.breaches(MONDAY_NOON))
    await box.burst(box.breaches(MONDAY_NOON))  # a replay: every key is taken
    before = set(await box.rows())
    assert len(before) == BREACHED * AGENTS
    assert len(box.told()) == BREACHED * AGENTS

    first = box.agents[0]
    await box.store.call(save_choices, first, StoredChoices(
        ways={"sla_breach": "email"}, email="agent0@toimisto.fi"))
    later = MONDAY_NOON + timedelta(hours=1)
    box.clock.set(later)
    await box.burst(box.breaches(later))

    rows = await box.rows()
    assert len(rows) == 2 * BREACHED * AGENTS
    new = [(agent, way, state) for _key, agent, way, state in set(rows) - before]
    assert sorted(new).count((first, "email", "due")) == BREACHED
    assert {(way, state) for agent, way, state in new if agent != first} == {("page", "page")}


async def test_an_event_that_fails_its_batch_costs_only_its_own_notices(
        box: BurstBox) -> None:
    gone = box.tickets[-1] + 1000  # no such ticket: its notice rows break the foreign key
    events = box.breaches(MONDAY_NOON)[:20]
    events.insert(10, SlaBreached(at=MONDAY_NOON, ticket_id=gone, due=MONDAY_NOON,
                                  assignee_id=None, tell_team=True))
    await box.burst(events)

    rows = await box.rows()
    assert len(rows) == 20 * AGENTS
    assert not [key for key, *_ in rows if f":{gone}:" in key]
