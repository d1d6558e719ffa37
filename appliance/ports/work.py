"""The work port: the open work in queue order to read, and "take the next one"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from appliance.queue.work_item import WorkItem


class WorkPort(Protocol):
    """What the page, MQTT and the LEDs read of the queue, and the agents' pull (switchboard)."""

    @property
    def open_count(self) -> int:
        """How many work items are open."""

    def items(self, limit: int | None = None,
              where: Callable[[WorkItem], bool] | None = None) -> list[WorkItem]:
        """The open work in queue order, the first `limit` items that pass `where`."""

    def waiting_calls(self) -> list[WorkItem]:
        """The callers waiting on a line, longest waiting first."""

    def position(self, item_id: str) -> int | None:
        """1-based place in the queue, None when not queued."""

    def breached(self, now: datetime) -> bool:
        """True when some open item is past its SLA due time."""

    async def take_next(self, agent_id: int) -> int:
        """Hand the agent the next ticket the rules allow; its number (or a refusal)."""
