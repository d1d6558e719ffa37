"""The notices port: one notice to one agent, the senders that carry it, and who has a page open.

The notifier decides who is told, which way and when; a sender (the outgoing
mail, the SMS outbox, the desk LED) only carries the notice it is handed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AgentNotice:
    """What one agent is told, in their language, and where to reach them."""

    agent_id: int
    kind: str  # assigned / mention / sla_warning / sla_breach / reminder
    subject: str  # a mail's subject line
    text: str  # the message: a mail's body, the SMS
    number: int | None = None  # the ticket's number
    email: str = ""
    phone: str = ""
    # the notice log's rows this notice carries: a sender that keeps it in the box's own
    # database marks them sent in the same transaction, so a stop between the two can
    # neither lose the notice nor send it twice
    notice_ids: tuple[int, ...] = ()


NoticeSender = Callable[[AgentNotice], Awaitable[None]]


class OpenPages:
    """How many live pages each agent has open (the web's event streams count in and out)."""

    def __init__(self) -> None:
        self._open: Counter[int] = Counter()

    def opened(self, agent_id: int) -> None:
        self._open[agent_id] += 1

    def closed(self, agent_id: int) -> None:
        self._open[agent_id] -= 1
        if self._open[agent_id] <= 0:
            del self._open[agent_id]

    def has_open(self, agent_id: int) -> bool:
        """True while the agent has at least one page following the live stream."""
        return self._open[agent_id] > 0
