"""Telling an agent who is away from the page: which way, now, later or not at all.

Each agent chooses, per kind of notice, the page only, email, SMS or the desk
LED. An agent with the page open sees it there and is sent nothing else. In
quiet hours (the agent's own, or by default whenever the office is closed)
a notice is held until they end, except an SLA warning: it matters only
before the breach, and the breach has its own notice, so a held warning is
dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum

from appliance.tickets.business_calendar import BusinessCalendar, wall_to_utc


class NoticeKind(StrEnum):
    """What an agent is told of."""

    ASSIGNED = "assigned"  # a ticket was given to them
    MENTION = "mention"  # @login or @Name in an internal note
    SLA_WARNING = "sla_warning"  # their ticket nears its due time
    SLA_BREACH = "sla_breach"  # their (or their team's) ticket is past it
    REMINDER = "reminder"  # a pending ticket of theirs came back


class NoticeWay(StrEnum):
    """How a notice reaches the agent."""

    PAGE = "page"
    EMAIL = "email"
    SMS = "sms"
    LED = "led"


DROPPED_WHEN_QUIET = frozenset({NoticeKind.SLA_WARNING})
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """The agent's quiet hours in local time; both None: whenever the office is closed."""

    start: time | None = None
    end: time | None = None

    def until(self, calendar: BusinessCalendar, now: datetime) -> datetime | None:
        """When the quiet hours that hold now end; None when it is not quiet now."""
        if self.start is None or self.end is None:
            if calendar.always_open or calendar.is_open(now):
                return None
            return calendar.next_open(now)
        if self.start == self.end:
            return None  # an empty span: never quiet
        local = now.astimezone(calendar.zone)
        at = local.time().replace(tzinfo=None)
        overnight = self.start > self.end
        quiet = (at >= self.start or at < self.end) if overnight else self.start <= at < self.end
        if not quiet:
            return None
        end_day = local.date() + _DAY if overnight and at >= self.start else local.date()
        return wall_to_utc(end_day, self.end, calendar.zone)


@dataclass(frozen=True, slots=True)
class NoticeChoices:
    """One agent's choices: the way for each kind (unset: the page only) and quiet hours."""

    ways: Mapping[NoticeKind, NoticeWay] = field(default_factory=dict)
    quiet: QuietHours = QuietHours()

    def way(self, kind: NoticeKind) -> NoticeWay:
        """The way the agent chose for this kind."""
        return self.ways.get(kind, NoticeWay.PAGE)


class Outcome(StrEnum):
    """What becomes of one notice."""

    PAGE = "page"  # shown on the page only
    SEND = "send"  # sent now, the chosen way
    HOLD = "hold"  # sent when the quiet hours end
    DROP = "drop"  # quiet now, and of no use later


@dataclass(frozen=True, slots=True)
class Delivery:
    """The decision for one notice: what, which way, and when (for SEND and HOLD)."""

    outcome: Outcome
    way: NoticeWay
    at: datetime


def deliver(kind: NoticeKind, choices: NoticeChoices, *, page_open: bool,
            calendar: BusinessCalendar, now: datetime) -> Delivery:
    """How and when this notice reaches the agent."""
    way = choices.way(kind)
    if way is NoticeWay.PAGE or page_open:
        return Delivery(Outcome.PAGE, NoticeWay.PAGE, now)
    quiet_until = choices.quiet.until(calendar, now)
    if quiet_until is None:
        return Delivery(Outcome.SEND, way, now)
    if kind in DROPPED_WHEN_QUIET:
        return Delivery(Outcome.DROP, way, now)
    return Delivery(Outcome.HOLD, way, quiet_until)

