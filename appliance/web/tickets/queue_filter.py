"""The queue page's filters: channel, team, assignee and status, read from the query string."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from appliance.queue.work_item import WorkItem
from appliance.web.frame.work_rows import WorkItemRow

CHANNELS = ("call", "callback", "sms", "email")
STATUSES = ("waiting", "new", "open")
ASSIGNEE_CHOICES = ("me", "none")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the agent narrowed the queue to; empty fields do not narrow."""

    channel: str = ""
    team_id: int | None = None
    assignee: str = ""  # "me", "none" or an agent id
    status: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QueueFilter:
        """Unknown values are ignored rather than refused: a stale link still shows the queue."""
        channel = query.get("channel", "")
        status = query.get("status", "")
        team = query.get("team", "")
        assignee = query.get("assignee", "")
        return cls(
            channel=channel if channel in CHANNELS else "",
            team_id=int(team) if team.isdigit() and len(team) < 12 else None,
            assignee=assignee if assignee in ASSIGNEE_CHOICES or (
                assignee.isdigit() and len(assignee) < 12) else "",
            status=status if status in STATUSES else "",
        )

    @staticmethod
    @lru_cache(maxsize=256)  # a page reloads with the same few query strings
    def from_raw_query(raw_query: str) -> QueueFilter:
        """The filter of a raw (still percent-encoded) query string; the first value counts."""
        query: dict[str, str] = {}
        for name, value in parse_qsl(raw_query, keep_blank_values=True):
            query.setdefault(name, value)
        return QueueFilter.from_query(query)

    @property
    def query_string(self) -> str:
        """The filter as a query string (for links and live refreshes)."""
        pairs = {"channel": self.channel, "team": self.team_id or "", "assignee": self.assignee,
                 "status": self.status}
        return urlencode({k: v for k, v in pairs.items() if v})

    def _assignee_matches(self, assignee_id: int | None, me: int) -> bool:
        if not self.assignee:
            return True
        if self.assignee == "me":
            return assignee_id == me
        if self.assignee == "none":
            return assignee_id is None
        return assignee_id == int(self.assignee)

    def matcher(self, me: int) -> Callable[[WorkItem], bool]:
        """Whether a work item passes the filter's channel, team and assignee."""
        def passes(item: WorkItem) -> bool:
            if self.channel and item.kind.value != self.channel:
                return False
            if self.team_id is not None and item.team_id != self.team_id:
                return False
            return self._assignee_matches(item.assignee_id, me)

        return passes

    def rows(self, rows: Iterable[WorkItemRow]) -> list[WorkItemRow]:
        """The rows passing the status filter (known only once read from the store)."""
        return [row for row in rows if not self.status or row.status == self.status]
