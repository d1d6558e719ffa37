"""The presence port: agents' states to read, and the one way to change an agent's presence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from appliance.presence.states import AgentState

AgentTransition = Callable[[AgentState, datetime], AgentState]


class PresencePort(Protocol):
    """What desks, buttons and the page may read and do about agents (the switchboard)."""

    def agent(self, agent_id: int) -> AgentState | None:
        """One agent's state now; None when the box knows no such active agent."""

    def agents(self) -> dict[int, AgentState]:
        """A copy of every agent's state."""

    def agent_id(self, login: str) -> int | None:
        """The id of the active agent with this login."""

    def change_presence(self, agent_id: int, transition: AgentTransition, *,
                        source: str) -> AgentState | None:
        """Apply a presence transition now (web, button, desk-unit); None: unknown agent."""
