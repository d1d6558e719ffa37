"""The in-process bus every part of Aspa talks through.

Publishing never blocks: each subscriber has its own queue and its own task,
so a slow or failing subscriber cannot stall the publisher or lose events
for the others.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable

from appliance.spine.events import Event

log = logging.getLogger("aspa.events")

# Events held for one slow subscriber before it starts losing its own (never the others').
SUBSCRIBER_QUEUE_MAX = 100_000
# Events one subscriber handles in a row before it lets the loop run something else. A
# handler that does not suspend (most do not) would otherwise take a whole burst in one go:
# a committed batch of 200 mails is ~400 events for each subscriber, and a ringing caller's
# RING line waited behind all of them (bench/ring_intake.py).
BURST_EVENTS = 16


Handler = Callable[[Event], Awaitable[None] | None]
# Takes what a subscriber has queued, up to its `most`, in one call: the notices subscriber
# records a burst of SLA breaches in one store transaction instead of one each.
BatchHandler = Callable[[list[Event]], Awaitable[None]]


class Subscription:
    """One subscriber: its queue, its task and what it has seen."""

    def __init__(
        self, name: str, handler: Handler, kinds: tuple[type[Event], ...] | None, limit: int,
        *, batches: BatchHandler | None = None, most: int = 1,
    ) -> None:
        self.name = name
        self.handler = handler
        self.batches = batches
        self.most = most
        self.kinds = kinds
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self._numbers: deque[int] = deque()  # the bus's number of each queued event, in order
        self.handling: int | None = None  # the bus's number of the event being handled
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self.limit = limit
        self.delivered = 0
        self.failed = 0
        self.dropped = 0
        self.task: asyncio.Task[None] | None = None

    def wants(self, event: Event) -> bool:
        return self.kinds is None or isinstance(event, self.kinds)

    def offer(self, event: Event, number: int = 0) -> None:
        if self.queue.qsize() >= self.limit:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error(
                    "subscriber %s is %d events behind; dropped %d of its own events",
                    self.name,
                    self.queue.qsize(),
                    self.dropped,
                )
            return
        self.queue.put_nowait(event)
        self._numbers.append(number)

    def handled_through(self, number: int) -> bool:
        """True when every event the bus published up to `number` is handled, of those wanted."""
        if self.handling is not None:
            return self.handling > number
        return not self._numbers or self._numbers[0] > number

    async def reached(self, number: int) -> None:
        """Wait until handled_through(number): what came later may still be queued."""
        if self.handled_through(number):
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append((number, waiter))
        await waiter

    def _wake_waiters(self) -> None:
        still = []
        for number, waiter in self._waiters:
            if waiter.done():
                continue  # given up (a timeout)
            if self.handled_through(number):
                waiter.set_result(None)
            else:
                still.append((number, waiter))
        self._waiters = still

    async def run(self) -> None:
        in_a_row = 0
        while True:
            if in_a_row >= BURST_EVENTS and not self.queue.empty():
                in_a_row = 0
                await asyncio.sleep(0)  # the loop's other work (a modem line, a request) first
            events = [await self.queue.get()]
            self.handling = self._numbers.popleft()  # later ones of a batch are behind it
            while self.batches is not None and len(events) < self.most and not self.queue.empty():
                events.append(self.queue.get_nowait())
                self._numbers.popleft()
            in_a_row += len(events)
            try:
                if self.batches is not None:
                    await self.batches(events)
                else:
                    result = self.handler(events[0])
                    if inspect.isawaitable(result):
                        await result
                self.delivered += len(events)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.failed += len(events)
                log.exception(
                    "subscriber %s failed on %s %s%s", self.name, events[0].kind,
                    events[0].event_id, f" and {len(events) - 1} more" if len(events) > 1 else "")
            finally:
                self.handling = None
                for _ in events:
                    self.queue.task_done()
                if self._waiters:
                    self._wake_waiters()


class EventBus:
    """Fan-out of events to subscribers that each run in their own task."""

    def __init__(self, *, subscriber_limit: int = SUBSCRIBER_QUEUE_MAX) -> None:
        self._subs: list[Subscription] = []
        self._limit = subscriber_limit
        self._running = False
        self.published = 0

    def subscribe(
        self, name: str, handler: Handler, kinds: Iterable[type[Event]] | None = None
    ) -> Subscription:
        """Register a handler (plain or async) for all events or the given kinds."""
        sub = Subscription(name, handler, tuple(kinds) if kinds is not None else None, self._limit)
        self._subs.append(sub)
        if self._running:
            sub.task = asyncio.get_running_loop().create_task(sub.run(), name=f"bus:{name}")
        return sub

    def subscribe_batches(
        self, name: str, handler: BatchHandler, kinds: Iterable[type[Event]], most: int
    ) -> Subscription:
        """Register a handler that takes the given kinds as they queue up: each call gets
        every event queued by then, in order, at most `most` of them."""
        async def one(event: Event) -> None:
            await handler([event])

        sub = Subscription(name, one, tuple(kinds), self._limit, batches=handler, most=most)
        self._subs.append(sub)
        if self._running:
            sub.task = asyncio.get_running_loop().create_task(sub.run(), name=f"bus:{name}")
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)
        if sub.task is not None:
            sub.task.cancel()

    def publish(self, event: Event) -> None:
        """Hand an event to every interested subscriber; never blocks, never raises."""
        self.published += 1
        for sub in self._subs:
            if sub.wants(event):
                sub.offer(event, self.published)

    def start(self) -> None:
        """Start one task per subscriber on the running loop."""
        loop = asyncio.get_running_loop()
        self._running = True
        for sub in self._subs:
            if sub.task is None:
                sub.task = loop.create_task(sub.run(), name=f"bus:{sub.name}")

    async def drain(self, within: float | None = None) -> dict[str, int]:
        """Wait until every subscriber has handled everything published so far.

        With `within` (seconds), wait no longer than that: a subscriber whose backlog
        would take longer (thousands of notices behind a burst of SLA breaches) must
        not hold a stop past systemd's stop timeout. Returns the subscribers still
        behind, by name, with how many events each has still queued.
        """
        try:
            async with asyncio.timeout(within):
                for sub in list(self._subs):
                    if sub.task is not None:
                        await sub.queue.join()
        except TimeoutError:
            pass
        return {sub.name: sub.queue.qsize() for sub in self._subs
                if sub.task is not None and not sub.queue.empty()}

    async def stop(self, within: float | None = None) -> dict[str, int]:
        """Deliver what is queued (for at most `within` seconds), then stop the subscriber
        tasks; returns the events left unhandled by subscriber, as `drain` does."""
        left = await self.drain(within)
        self._running = False
        tasks = [s.task for s in self._subs if s.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for sub in self._subs:
            sub.task = None
        return left

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        return tuple(self._subs)
