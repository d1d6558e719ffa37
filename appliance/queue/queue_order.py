"""The one order of the work queue, as a sort key.

Live calls first, oldest first (a caller is waiting on the line); then every
other item by SLA due time (none last), then priority, then age.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appliance.presence.channel import Channel
from appliance.queue.work_item import WorkItem

OrderKey = tuple[int, int, int, int, int, str]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    """Exact microseconds since the epoch (floats would tie distinct moments)."""
    return (moment - _EPOCH) // _MICROSECOND


def order_key(item: WorkItem) -> OrderKey:
    """The sort key of `item`; smaller comes first, the id breaks ties."""
    created = _micros(item.created_at)
    if item.kind is Channel.CALL:
        return (0, 0, created, 0, created, item.id)
    if item.sla_due is None:
        return (1, 1, 0, item.priority.rank, created, item.id)
    return (1, 0, _micros(item.sla_due), item.priority.rank, created, item.id)
