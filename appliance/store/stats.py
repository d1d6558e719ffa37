"""The figures behind `aspa stats --json`, read from the store as a plain dict."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, cast

import peewee as pw

from appliance.store.models import Agent, DailyFigure, Quarantine, Ticket
from appliance.tickets import TicketStatus

PRESENCES = ("available", "busy", "away", "offline")


def store_stats(
    now: datetime,
    zone: tzinfo,
    *,
    presence: Mapping[int, str] | None = None,
    waiting_calls: int = 0,
) -> dict[str, Any]:
    """Tickets by status, quarantine, agents by presence, waiting calls, service debt today.

    `presence` (agent id → presence) and `waiting_calls` come from the running
    daemon; without it every active agent counts as offline and no call waits.
    """
    return {
        "tickets": tickets_by_status(),
        "quarantine": quarantine_counts(),
        "agents": agents_by_presence(presence or {}),
        "waiting_calls": waiting_calls,
        "service_debt": service_debt_today(now, zone),
    }


def tickets_by_status() -> dict[str, int]:
    """How many tickets are in each status (every status listed, zeros included)."""
    counts = dict.fromkeys((s.value for s in TicketStatus), 0)
    query = Ticket.select(Ticket.status, pw.fn.COUNT(Ticket.id)).group_by(Ticket.status).tuples()
    for status, count in cast(Iterable[tuple[str, int]], query):
        counts[status] = count
    return counts


def sla_breaches(now: datetime) -> int:
    """Open tickets past a due time: first response not sent, or not resolved in time.

    Pending tickets wait on the customer, their clocks are paused: they do not count.
    """
    running = Ticket.status.in_((TicketStatus.NEW.value, TicketStatus.OPEN.value))
    late_answer = Ticket.first_responded_at.is_null() & (Ticket.first_response_due < now)
    late_resolution = Ticket.resolution_due < now
    return int(Ticket.select().where(running & (late_answer | late_resolution)).count())


def quarantine_counts() -> dict[str, int]:
    """Quarantined inputs in all, and those not replayed yet."""
    total = Quarantine.select().count()
    unreplayed = Quarantine.select().where(Quarantine.replayed_at.is_null()).count()
    return {"count": total, "unreplayed": unreplayed}


def agents_by_presence(presence: Mapping[int, str]) -> dict[str, int]:
    """Active agents counted by presence; an agent the daemon does not know of is offline."""
    counts = dict.fromkeys(PRESENCES, 0)
    for (agent_id,) in Agent.select(Agent.id).where(Agent.active == True).tuples().iterator():  # noqa: E712
        state = presence.get(agent_id, "offline")
        counts[state if state in counts else "offline"] += 1
    return counts


def service_debt_today(now: datetime, zone: tzinfo) -> dict[str, Any]:
    """Today's open-at-start + new − resolved: the stored DailyFigure, else counted from tickets."""
    today = now.astimezone(zone).date()
    stored = DailyFigure.get_or_none(DailyFigure.day == today)
    if stored is not None:
        figure = (stored.open_at_start, stored.new, stored.resolved)
    else:
        figure = count_day(today, zone)
    open_at_start, new, resolved = figure
    return {
        "day": today.isoformat(),
        "open_at_start": open_at_start,
        "new": new,
        "resolved": resolved,
        "debt": open_at_start + new - resolved,
    }


def count_day(day: date, zone: tzinfo) -> tuple[int, int, int]:
    """(open at start, new, resolved) of a local day, counted from the tickets as they are now."""
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    # Open at the start: created before today and not resolved before today.
    open_at_start = (
        Ticket.select()
        .where(
            (Ticket.created_at < start)
            & (Ticket.resolved_at.is_null() | (Ticket.resolved_at >= start))
        )
        .count()
    )
    new = Ticket.select().where((Ticket.created_at >= start) & (Ticket.created_at < end)).count()
    resolved = (
        Ticket.select().where((Ticket.resolved_at >= start) & (Ticket.resolved_at < end)).count()
    )
    return open_at_start, new, resolved
