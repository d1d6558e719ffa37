"""The outbox: events and summaries stored first, published in order, marked sent on PUBACK.

While the broker is away messages wait in the store (up to `cap`; beyond
it they are counted as dropped). Each session sends every unsent row from
the oldest; a row the broker acknowledged is never sent again, one it did
not may be (QoS 1 is at least once, MQTT 5 §4.3.2): consumers dedupe by
the `event_id` in the payload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from appliance.mqtt.connection import Connection, ConnectionLost, PubAck
from appliance.mqtt.errors import publish_refusal
from appliance.mqtt.outbox_rows import (
    OutboxRow,
    OutgoingMessage,
    add_messages,
    count_unsent,
    dropped_total,
    mark_sent,
    unsent_after,
)
from appliance.spine.clock import Clock
from appliance.store.worker import StoreWorker

log = logging.getLogger("aspa.mqtt.outbox")

READ_BATCH = 1000  # rows read from the store at a time
WINDOW = 1000  # messages handed to paho and not yet acknowledged


class Outbox:
    """The persistent queue between the bus and the broker."""

    def __init__(self, store: StoreWorker, clock: Clock, cap: int, *,
                 read_batch: int = READ_BATCH, window: int = WINDOW) -> None:
        self._store = store
        self._clock = clock
        self.cap = cap
        self._read_batch = read_batch
        self._window = window
        self.unsent = 0
        self.dropped = 0
        self.sent = 0  # acknowledged since start
        self.refused = 0  # refused by the broker (ACL), marked sent so never looped on
        self.last_refusal = ""
        self._wakeup = asyncio.Event()
        self._settled = asyncio.Event()
        self._empty = asyncio.Event()
        self._acked: list[int] = []
        self._acked_unmarked: set[int] = set()
        self._marker: asyncio.Task[None] | None = None
        self._last_id = 0  # the last row handed to the current session

    async def load(self) -> None:
        """Read how much waits from the last run, and the dropped count."""
        self.unsent = await self._store.call(count_unsent)
        self.dropped = await self._store.call(dropped_total)
        self._note_empty()

    async def put(self, messages: Sequence[OutgoingMessage],
                  meta: tuple[str, str] | None = None) -> None:
        """Store messages for sending (in one transaction, with `meta`) and wake the sender."""
        if not messages:
            return
        room = self.cap - self.unsent
        dropped = await self._store.call(add_messages, messages, self._clock.now(), room, meta)
        self.unsent += len(messages) - dropped
        if dropped:
            self.dropped += dropped
            log.error("mqtt outbox full (%d messages wait): dropped %d, %d in all; "
                      "is the broker reachable?", self.unsent, dropped, self.dropped)
        self._note_empty()
        self._wakeup.set()

    async def send(self, connection: Connection) -> None:
        """Publish every unsent row, oldest first, for as long as this session lives."""
        self._wakeup.clear()
        rows = await self._store.call(unsent_after, 0, self._read_batch)
        while not connection.lost.is_set():
            if not rows:
                await self._wakeup.wait()
                self._wakeup.clear()
                rows = await self._store.call(unsent_after, self._last_id, self._read_batch)
                continue
            self._last_id = rows[-1].id
            # Read the next batch while this one goes out: the store thread also marks rows
            # sent, and a read queued behind those commits would stall the stream.
            self._wakeup.clear()
            following = asyncio.ensure_future(
                self._store.call(unsent_after, self._last_id, self._read_batch))
            try:
                for row in rows:
                    if row.id in self._acked_unmarked:
                        continue  # acknowledged in an earlier session, being marked right now
                    while connection.in_flight >= self._window and not connection.lost.is_set():
                        self._settled.clear()
                        await self._settled.wait()
                    self._publish(connection, row)
                rows = await following
            finally:
                following.cancel()

    def _publish(self, connection: Connection, row: OutboxRow) -> None:
        future = connection.publish(row.topic, row.payload, qos=row.qos, retain=row.retain)
        future.add_done_callback(lambda f: self._on_ack(row, f))

    def _on_ack(self, row: OutboxRow, future: asyncio.Future[PubAck]) -> None:
        self._settled.set()
        if future.cancelled() or isinstance(future.exception(), ConnectionLost):
            return  # not acknowledged: the next session sends it again, in order
        ack = future.result()
        if not ack.ok:
            # A refusal is not transient: resending would loop forever. Report and move on.
            self.refused += 1
            self.last_refusal = publish_refusal(ack.code, ack.name, row.topic)
            log.error("mqtt: %s (%d refused so far)", self.last_refusal, self.refused)
        else:
            self.sent += 1
        self._acked.append(row.id)
        self._acked_unmarked.add(row.id)
        if self._marker is None or self._marker.done():
            self._marker = asyncio.create_task(self._mark_acked(), name="mqtt-outbox-mark")

    async def _mark_acked(self) -> None:
        while self._acked:
            ids, self._acked = self._acked, []
            while True:
                try:
                    await self._store.call(mark_sent, ids, self._clock.now())
                    break
                except Exception as error:  # the database may be briefly locked: keep them
                    log.error("mqtt outbox: cannot mark %d rows sent (%s); retrying", len(ids),
                              error)
                    await asyncio.sleep(1.0)
            self._acked_unmarked.difference_update(ids)
            self.unsent -= len(ids)
            self._note_empty()

    def _note_empty(self) -> None:
        if self.unsent <= 0 and not self._acked:
            self._empty.set()
        else:
            self._empty.clear()

    async def wait_empty(self) -> None:
        """Wait until everything stored so far has been acknowledged and marked."""
        await self._empty.wait()

    async def close(self) -> None:
        """Finish marking what the broker has acknowledged."""
        if self._marker is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._marker
