"""The change feed: events another process wrote, published once each on the daemon's bus."""

from __future__ import annotations

import asyncio

from appliance.runtime.change_follower import POLL_S, ChangeFollower
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import AgentRosterChanged, Event, TicketCreated
from appliance.store.change_feed import record_changes
from appliance.store.models import ChangeFeedEntry
from appliance.store.worker import StoreWorker

CLOCK = ManualClock()


def _created(number: int) -> TicketCreated:
    return TicketCreated(at=CLOCK.now(), ticket_id=number - 1000, number=number,
                         channel="email", subject="", priority="normal")


class Heard:
    """What the daemon's bus carried."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        bus.subscribe("heard", self.events.append)


class Ticks:
    """The follower's sleep, released one poll at a time by the test."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.waiting = asyncio.Event()
        self.gate = asyncio.Queue[None]()

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.waiting.set()
        await self.gate.get()


async def test_entries_are_published_in_order_once_and_then_dropped(store: StoreWorker) -> None:
    bus = EventBus()
    heard = Heard(bus)
    bus.start()
    await store.call(record_changes, [_created(1001), _created(1002)], "cli:test")
    follower = ChangeFollower(store, bus)
    assert await follower.catch_up() == 2
    assert await follower.catch_up() == 0  # nothing twice
    await bus.drain()
    assert [e.number for e in heard.events if isinstance(e, TicketCreated)] == [1001, 1002]
    assert heard.events[0].event_id != heard.events[1].event_id
    assert await store.call(ChangeFeedEntry.select().count) == 1  # only the newest stays
    await store.call(record_changes, [_created(1003)], "cli:test")  # ids are never reused
    assert await follower.catch_up() == 1
    await bus.drain()
    assert [e.number for e in heard.events if isinstance(e, TicketCreated)][-1] == 1003
    await bus.stop()


async def test_two_readers_at_once_still_publish_each_entry_once(store: StoreWorker) -> None:
    bus = EventBus()
    heard = Heard(bus)
    bus.start()
    await store.call(record_changes, [_created(n) for n in range(1001, 1301)], "cli:test")
    follower = ChangeFollower(store, bus)
    counts = await asyncio.gather(follower.catch_up(), follower.catch_up())
    assert sorted(counts) == [0, 300]
    await bus.drain()
    assert len(heard.events) == 300
    await bus.stop()


async def test_a_kind_this_version_does_not_know_is_skipped_not_fatal(
        store: StoreWorker) -> None:
    bus = EventBus()
    heard = Heard(bus)
    bus.start()
    await store.call(lambda: ChangeFeedEntry.create(source="cli:newer",
                                                    payload={"kind": "from.the.future"}))
    roster = AgentRosterChanged(at=CLOCK.now(), agent_id=3, change="added")
    await store.call(record_changes, [roster], "cli:test")
    follower = ChangeFollower(store, bus)
    assert await follower.catch_up() == 1
    await bus.drain()
    assert heard.events == [roster]
    assert follower.unreadable == 1
    await bus.stop()


async def test_the_follower_reads_the_feed_every_poll(store: StoreWorker) -> None:
    bus = EventBus()
    heard = Heard(bus)
    bus.start()
    ticks = Ticks()
    follower = ChangeFollower(store, bus, sleep=ticks)
    follower.start()
    try:
        async with asyncio.timeout(5):
            await ticks.waiting.wait()  # the first read found nothing; now it waits for a poll
        assert ticks.asked[0] == POLL_S <= 0.5  # a change shows within a second
        await store.call(record_changes, [_created(1001)], "cli:test")
        ticks.gate.put_nowait(None)  # one poll later
        async with asyncio.timeout(5):
            while not heard.events:
                await bus.drain()
                await asyncio.sleep(0)
    finally:
        await follower.stop()
        await bus.stop()
