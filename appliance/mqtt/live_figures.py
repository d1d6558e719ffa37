"""The live figures: read from the switchboard's picture and from the store, as plain numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from appliance.presence.states import AgentState
from appliance.queue.work_item import WorkItem
from appliance.store.call_figures import SERVICE_LEVEL_S, call_figures_between
from appliance.store.models import Call
from appliance.store.stats import service_debt_today, sla_breaches, tickets_by_status

Number = int | float | None  # None: no value yet (published as "None", unknown to Home Assistant)
DEBT_TREND_DAYS = 7


def core_figures(calls: Sequence[WorkItem], agents: Mapping[int, AgentState],
                 now: datetime) -> dict[str, Number]:
    """Callers waiting, the longest wait and agents by presence, from the switchboard's picture."""
    longest = max(((now - item.created_at).total_seconds() for item in calls), default=0.0)
    presences = [str(state.presence) for state in agents.values()]
    return {
        "callers_waiting": len(calls),
        "longest_wait": round(max(longest, 0.0)),
        "agents_available": presences.count("available"),
        "agents_busy": presences.count("busy"),
        "agents_away": presences.count("away"),
    }


def store_figures(now: datetime, zone: tzinfo,
                  service_level_s: float = SERVICE_LEVEL_S) -> dict[str, Number]:
    """Tickets by status, SLA breaches, today's calls and service debt. Blocking: store thread."""
    by_status = tickets_by_status()
    figures: dict[str, Number] = {
        f"tickets_{status}": by_status.get(status, 0) for status in ("new", "open", "pending")
    }
    figures["sla_breaches"] = sla_breaches(now)
    figures.update(call_figures(now, zone, service_level_s))
    today = service_debt_today(now, zone)["debt"]
    week_ago = service_debt_today(now - timedelta(days=DEBT_TREND_DAYS), zone)["debt"]
    figures["service_debt_today"] = today
    figures["service_debt_trend_7d"] = today - week_ago
    return figures


def call_figures(now: datetime, zone: tzinfo,
                 service_level_s: float = SERVICE_LEVEL_S) -> dict[str, Number]:
    """Today's calls (local day): offered, answer rate and service level, both in %.

    The rates are the exchange's own (`appliance.store.call_figures`), so MQTT, the web
    and the reports agree: finished calls count, short abandons do not.
    """
    start = datetime.combine(now.astimezone(zone).date(), time(0), zone)
    offered = Call.select().where((Call.direction == "in") & (Call.offered_at >= start)).count()
    today = call_figures_between(start, now + timedelta(seconds=1),
                                 service_level_s=service_level_s)
    return {
        "calls_offered_today": offered,
        "answer_rate_today": percent(today.answer_rate),
        "service_level_today": percent(today.service_level),
    }


def percent(share: float | None) -> float | None:
    """A share (0..1) as a percentage with one decimal; None stays unknown."""
    return None if share is None else round(100.0 * share, 1)


def csq_to_dbm(signal: int | None) -> int | None:
    """3GPP TS 27.007 §8.5 +CSQ <rssi>: 0 = -113 dBm … 31 = -51 dBm, 99 = unknown."""
    if signal is None or not 0 <= signal <= 31:
        return None
    return -113 + 2 * signal


def state_text(value: Any) -> str:
    """A figure as its MQTT payload: plain text, "None" when unknown."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "ON" if value else "OFF"
    return str(value)
