"""The daemon's live picture: who is present and what work is open, kept current from events."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import cast

from appliance.presence.channel import Channel
from appliance.presence.states import AgentState
from appliance.queue.work_item import WorkItem
from appliance.queue.work_queue import WorkQueue
from appliance.spine.events import (
    CallAnswered,
    CallEnded,
    CallOffered,
    Event,
    TicketAssigned,
    TicketCreated,
    TicketStatusChanged,
)
from appliance.store.models import Agent
from appliance.store.worker import StoreWorker
from appliance.switchboard.open_work import file_ticket, load_open_tickets, read_open_item

log = logging.getLogger("aspa.core")

WATCHED_EVENTS: tuple[type[Event], ...] = (
    TicketCreated, TicketStatusChanged, TicketAssigned,
    CallOffered, CallAnswered, CallEnded,
)
# PresenceChanged is not watched: whoever changes an agent (Daemon.change_agent, the call
# desk) writes `agents` first and publishes after, so replaying the event here could only
# put back an older state that a quicker change has already replaced.


def call_item_id(call_id: str) -> str:
    """The work-queue id of a live call."""
    return f"call:{call_id}"


def _active_agent_ids() -> list[int]:
    query = Agent.select(Agent.id).where(Agent.active == True).tuples()  # noqa: E712
    return [agent_id for (agent_id,) in cast(Iterable[tuple[int]], query)]


class CoreState:
    """Agents' presence and the work queue; the bus subscriber `on_event` keeps them current."""

    def __init__(self, store: StoreWorker) -> None:
        self._store = store
        self.queue = WorkQueue()
        self.agents: dict[int, AgentState] = {}

    async def load(self) -> None:
        """Read the open tickets and the agents (everyone offline until they say otherwise)."""
        self.queue = await self._store.call(load_open_tickets)
        self.agents = {i: AgentState(agent_id=i) for i in await self._store.call(_active_agent_ids)}
        log.info("work queue loaded: %d open items, %d agents", len(self.queue), len(self.agents))

    async def on_event(self, event: Event) -> None:
        """Apply one event to the picture."""
        if isinstance(event, TicketCreated | TicketStatusChanged | TicketAssigned):
            if event.ticket_id is not None:
                item = await self._store.call(read_open_item, event.ticket_id)
                file_ticket(self.queue, event.ticket_id, item)
        elif isinstance(event, CallOffered):
            self.queue.put(WorkItem(id=call_item_id(event.call_id), kind=Channel.CALL,
                                    created_at=event.at, customer_id=event.customer_id))
        elif isinstance(event, CallAnswered | CallEnded):
            item_id = call_item_id(event.call_id)
            if item_id in self.queue:
                self.queue.remove(item_id)
