"""The routing port: how the exchange reads agents and has its presence decisions applied."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from appliance.presence.states import AgentState
from appliance.queue.call_commands import Command


class RoutingPort(Protocol):
    """The switchboard as the exchange uses it: snapshots in, presence commands out."""

    def agent(self, agent_id: int) -> AgentState | None:
        """One agent's state now."""

    def agents(self) -> dict[int, AgentState]:
        """A copy of every agent's state (what a routing decision is made from)."""

    def position(self, item_id: str) -> int | None:
        """1-based place of a work item in the queue (a caller's: "you are number 2")."""

    def claim_ringing(self, call_id: str, agent_ids: Iterable[int]) -> tuple[int, ...]:
        """Ring these agents if the rules still allow; the ones now ringing."""

    def apply_call_command(self, call_id: str, command: Command, missed_limit: int = 0) -> None:
        """Apply a call flow's presence command (stop ringing, on a call, free) now."""
