"""Rows the pages show, as plain frozen data read from the store and the core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class WorkItemRow:
    """One line of the queue page."""

    number: int
    channel: str
    subject: str
    priority: str
    status: str
    customer: str
    created_at: datetime
    due: datetime | None
    item_id: str = ""
    ticket_id: int | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    customer_id: int | None = None
    caller_number: str = ""  # a waiting call's number, E.164 as the line gave it
    caller_number_shown: str = ""  # the same, grouped for reading
    tags: tuple[str, ...] = ()  # a ticket's tags

    def json(self) -> dict[str, object]:
        """The row as JSON-ready data."""
        return {
            "item_id": self.item_id, "ticket_id": self.ticket_id, "number": self.number,
            "channel": self.channel, "subject": self.subject, "priority": self.priority,
            "status": self.status, "customer": self.customer, "customer_id": self.customer_id,
            "assignee_id": self.assignee_id, "team_id": self.team_id,
            # to the second: the queue JSON is fetched often, and no one waits in microseconds
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "due": self.due.isoformat(timespec="seconds") if self.due else None,
            **({"tags": list(self.tags)} if self.number else {}),
            **({"caller_number": self.caller_number or None,
                "caller_number_shown": self.caller_number_shown or None,
                "waiting_since": self.created_at.isoformat(timespec="seconds")}
               if self.channel == "call" and not self.number else {}),
        }
