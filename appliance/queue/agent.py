"""An agent as the queue sees them: presence state and team membership."""

from __future__ import annotations

from dataclasses import dataclass, field

from appliance.presence.states import AgentState


@dataclass(frozen=True, slots=True)
class QueueAgent:
    """An agent's state plus the teams whose unassigned work they may take."""

    state: AgentState
    teams: frozenset[int] = field(default_factory=frozenset)

    @property
    def agent_id(self) -> int:
        """The agent's id."""
        return self.state.agent_id
