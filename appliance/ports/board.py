"""The board port: presence and work together, for the parts that show and change both."""

from __future__ import annotations

from typing import Protocol

from appliance.ports.presence import PresencePort
from appliance.ports.work import WorkPort


class BoardPort(PresencePort, WorkPort, Protocol):
    """The page's and MQTT's view of the switchboard: agents and the queue."""

    async def caught_up(self, through: int | None = None) -> None:
        """Wait until every change published so far (or up to bus event `through`) is shown."""

    async def roster_changed(self, agent_id: int, change: str) -> None:
        """A login was added, changed, deactivated or reactivated: read the agents again."""
