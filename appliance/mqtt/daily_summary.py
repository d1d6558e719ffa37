"""The daily summary: yesterday's calls, tickets and service debt, sent once after local midnight.

The last day summarised is kept in the store with the outbox row that
carries it (one transaction), so a restart neither repeats nor skips a day.
A box that was off for a few days catches up, oldest day first.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from appliance.mqtt.live_figures import percent
from appliance.mqtt.outbox_rows import get_meta
from appliance.store.call_figures import SERVICE_LEVEL_S, call_figures_between
from appliance.store.models import Call, Message, Ticket
from appliance.store.stats import service_debt_today

LAST_DAY_KEY = "mqtt_summary_last_day"
CATCH_UP_DAYS = 7  # days summarised at most after the box was off


def days_due(now: datetime, zone: tzinfo, last_done: date | None) -> list[date]:
    """Finished local days not summarised yet, oldest first (none before the first run)."""
    yesterday = now.astimezone(zone).date() - timedelta(days=1)
    if last_done is None:
        return []  # the first run: start with the day now under way
    first = max(last_done + timedelta(days=1), yesterday - timedelta(days=CATCH_UP_DAYS - 1))
    return [first + timedelta(days=n) for n in range((yesterday - first).days + 1)]


def read_last_day() -> date | None:
    """The last day summarised. Blocking: store thread."""
    value = get_meta(LAST_DAY_KEY)
    return date.fromisoformat(value) if value else None


def summary_payload(day: date, zone: tzinfo, box: str, event_id: str,
                    service_level_s: float = SERVICE_LEVEL_S) -> str:
    """The JSON summary of one local day. Blocking: store thread."""
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    calls = Call.select().where((Call.direction == "in") & (Call.offered_at >= start)
                                & (Call.offered_at < end))
    outcomes: dict[str, int] = {}
    for call in calls:
        outcome = call.outcome or "unfinished"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    offered = sum(outcomes.values())
    rates = call_figures_between(start, end, service_level_s=service_level_s)
    debt = service_debt_today(end - timedelta(seconds=1), zone)
    data: dict[str, Any] = {
        "event_id": event_id,
        "kind": "summary-daily",
        "box": box,
        "day": day.isoformat(),
        "calls": {"offered": offered, "answered": rates.answered,
                  "missed": outcomes.get("missed", 0),
                  "abandoned": outcomes.get("abandoned", 0),
                  "overflowed": outcomes.get("overflowed", 0),
                  "answer_rate": percent(rates.answer_rate),
                  "service_level": percent(rates.service_level)},
        "tickets": {
            "created": Ticket.select().where((Ticket.created_at >= start)
                                             & (Ticket.created_at < end)).count(),
            "resolved": Ticket.select().where((Ticket.resolved_at >= start)
                                              & (Ticket.resolved_at < end)).count(),
        },
        "sms_received": Message.select().where(
            (Message.channel == "sms") & (Message.direction == "in")
            & (Message.created_at >= start) & (Message.created_at < end)).count(),
        "service_debt": {k: debt[k] for k in ("open_at_start", "new", "resolved", "debt")},
    }
    return json.dumps(data, separators=(",", ":"), sort_keys=True)
