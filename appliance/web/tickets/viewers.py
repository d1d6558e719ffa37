"""Who has which ticket open right now (collision detection), from their open live streams."""

from __future__ import annotations

from collections import Counter


class Viewers:
    """Ticket id → the agents whose ticket page is open on it, counted per open page."""

    def __init__(self) -> None:
        self._open: dict[int, Counter[int]] = {}
        self._names: dict[int, str] = {}

    def opened(self, ticket_id: int, agent_id: int, name: str) -> None:
        self._open.setdefault(ticket_id, Counter())[agent_id] += 1
        self._names[agent_id] = name

    def closed(self, ticket_id: int, agent_id: int) -> None:
        counts = self._open.get(ticket_id)
        if counts is None:
            return
        counts[agent_id] -= 1
        if counts[agent_id] <= 0:
            del counts[agent_id]
        if not counts:
            del self._open[ticket_id]

    def others(self, ticket_id: int, agent_id: int) -> list[str]:
        """Names of the other agents viewing the ticket, sorted."""
        counts = self._open.get(ticket_id, Counter())
        return sorted(self._names[a] for a in counts if a != agent_id)

    def by_ticket(self) -> dict[int, list[str]]:
        """Every viewed ticket and who views it."""
        return {t: sorted(self._names[a] for a in c) for t, c in self._open.items()}
