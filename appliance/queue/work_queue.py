"""The unified work queue, kept in order as items come and go.

Besides the one ordered list (for the wallboard), items are filed in small
ordered buckets by who may take them (assignee, team or anyone) and by
whether they are live voice. "Next for agent X" then only compares the heads
of the few buckets X may draw from, so its cost hardly depends on how many
items are open.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sortedcontainers import SortedList

from appliance.presence.channel import Channel
from appliance.presence.offer_rules import may_take
from appliance.queue.agent import QueueAgent
from appliance.queue.errors import UnknownWorkItem
from appliance.queue.queue_order import FIRST_NOT_A_CALL, OrderKey, order_key
from appliance.queue.work_item import WorkItem

BucketKey = tuple[str, int | None, bool]  # ("agent", id) or ("team", id or None); live voice


def _bucket_of(item: WorkItem) -> BucketKey:
    voice = item.kind.is_live_voice
    if item.assignee_id is not None:
        return ("agent", item.assignee_id, voice)
    if item.offered_to is not None:  # the customer's account manager has it first
        return ("agent", item.offered_to, voice)
    return ("team", item.team_id, voice)


class WorkQueue:
    """Open work items in queue order, with a fast "next for this agent"."""

    __slots__ = ("_buckets", "_items", "_ordered")

    def __init__(self) -> None:
        # An item's order key is made again when needed (items are frozen), not kept.
        self._items: dict[str, WorkItem] = {}
        self._ordered: Any = SortedList()
        self._buckets: dict[BucketKey, Any] = {}

    @classmethod
    def of(cls, items: Iterable[WorkItem]) -> WorkQueue:
        """A queue holding `items` (a later item replaces an earlier one of the same id).

        The same queue as put() one by one, sorted once instead of item by item: the start
        loads every open ticket this way (50,000 in 0.2 s less, bench/README.md).
        """
        queue = cls()
        for item in items:
            queue._items[item.id] = item
        keys = [(order_key(item), _bucket_of(item)) for item in queue._items.values()]
        queue._ordered = SortedList(key for key, _ in keys)
        filed: dict[BucketKey, list[OrderKey]] = {}
        for key, bucket in keys:
            filed.setdefault(bucket, []).append(key)
        queue._buckets = {bucket: SortedList(bucket_keys) for bucket, bucket_keys in filed.items()}
        return queue

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def __iter__(self) -> Iterator[WorkItem]:
        """Every open item, in queue order."""
        for key in self._ordered:
            yield self._items[key[-1]]

    def get(self, item_id: str) -> WorkItem:
        """The open item with `item_id`; raises UnknownWorkItem if none."""
        try:
            return self._items[item_id]
        except KeyError:
            raise UnknownWorkItem(f"no open work item {item_id!r}") from None

    def put(self, item: WorkItem) -> None:
        """Add `item`, or replace the open item with the same id (re-filed in order)."""
        if item.id in self._items:
            self.remove(item.id)
        key = order_key(item)
        self._items[item.id] = item
        self._ordered.add(key)
        bucket = self._buckets.get(_bucket_of(item))
        if bucket is None:
            bucket = self._buckets[_bucket_of(item)] = SortedList()
        bucket.add(key)

    def remove(self, item_id: str) -> WorkItem:
        """Take the item out (done, answered, abandoned) and return it."""
        item = self.get(item_id)
        key = order_key(item)
        del self._items[item_id]
        self._ordered.remove(key)
        bucket_key = _bucket_of(item)
        bucket = self._buckets[bucket_key]
        bucket.remove(key)
        if not bucket:
            del self._buckets[bucket_key]
        return item

    def position(self, item_id: str) -> int:
        """0-based place of the item in queue order (for "you are number 3")."""
        index: int = self._ordered.index(order_key(self.get(item_id)))
        return index

    def next_for(
        self, agent: QueueAgent, now: datetime, *, live_calls: bool = True
    ) -> WorkItem | None:
        """The first item in queue order that `agent` may take at `now`, or None.

        With live_calls=False live calls are passed over (they are answered on the
        phone, not pulled from the page); callbacks owed still count.
        """
        # Whether an agent may take a channel depends only on live voice or not.
        allowed = [
            voice
            for voice, sample in ((True, Channel.CALL), (False, Channel.EMAIL))
            if may_take(agent.state, sample, now)
        ]
        if not allowed:
            return None
        owners: list[tuple[str, int | None]] = [("agent", agent.agent_id), ("team", None)]
        owners.extend(("team", team) for team in agent.teams)
        best: OrderKey | None = None
        for kind, owner in owners:
            for voice in allowed:
                bucket = self._buckets.get((kind, owner, voice))
                if not bucket:
                    continue
                # live calls sort first in a bucket (queue_order): skip past them if asked
                at = 0 if live_calls or not voice else bucket.bisect_left(FIRST_NOT_A_CALL)
                if at < len(bucket):
                    head: OrderKey = bucket[at]
                    if best is None or head < best:
                        best = head
        return None if best is None else self._items[best[-1]]
