"""The desks' view of the agents: find one by login, read their state, apply a gesture."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from appliance.presence.effective_state import state_of
from appliance.presence.gestures import Gesture, after_gesture
from appliance.presence.states import AgentState
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.store.models import Agent

if TYPE_CHECKING:
    from appliance.runtime.daemon import Daemon

log = logging.getLogger("aspa.desk")


def _agent_ids_by_login() -> dict[str, int]:
    rows: list[tuple[int, str]] = list(Agent.select(Agent.id, Agent.login).tuples())  # type: ignore[arg-type]
    return {login: agent_id for agent_id, login in rows}


class DeskAgents:
    """Agents by login, as the daemon's core sees them; gestures go through the daemon."""

    def __init__(self, daemon: Daemon) -> None:
        self._daemon = daemon
        self._ids: dict[str, int] = {}

    @property
    def bus(self) -> EventBus:
        return self._daemon.bus

    @property
    def clock(self) -> Clock:
        return self._daemon.clock

    async def load(self) -> None:
        """Read every agent's login from the store."""
        assert self._daemon.store is not None, "the daemon's store is not open"
        self._ids = await self._daemon.store.call(_agent_ids_by_login)

    def agent_id(self, login: str) -> int | None:
        """The id of the agent with `login`, or None when the store has no such agent."""
        return self._ids.get(login)

    def state(self, agent_id: int) -> str:
        """The agent's effective state now; an agent the core does not know is offline."""
        core = self._daemon.core
        agent = core.agents.get(agent_id) if core is not None else None
        return state_of(agent, self.clock.now()) if agent is not None else "offline"

    def gesture(self, agent_id: int, gesture: Gesture, source: str) -> AgentState | None:
        """Apply a button gesture to the agent; None when the agent is unknown."""
        result = self._daemon.change_agent(
            agent_id, lambda state, now: after_gesture(state, gesture, now), source=source)
        if result is None:
            log.warning("desk %s for agent %d ignored: the agent is not active", gesture, agent_id)
        return result
