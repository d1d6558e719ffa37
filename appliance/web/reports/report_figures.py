"""Figures per local day (or ISO week): volumes, response times, calls, service debt. Blocking."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, cast

from appliance.store.call_figures import SERVICE_LEVEL_S, CallFigures, CallSample
from appliance.store.call_figures import figures as call_figures
from appliance.store.models import Call, Ticket
from appliance.tickets.service_debt import TicketSpan, service_debt_series

CHANNELS = ("email", "sms", "call", "callback", "web")


@dataclass(slots=True)
class PeriodFigures:
    """One day or week of figures."""

    label: str
    volumes: Counter[str] = field(default_factory=Counter)
    first_response_s: list[float] = field(default_factory=list)
    resolution_s: list[float] = field(default_factory=list)
    calls_offered: int = 0  # every incoming call, finished or not
    calls: CallFigures = field(default_factory=CallFigures)  # the exchange's own rates
    debt: int = 0

    def row(self) -> dict[str, Any]:
        """The figures as one flat, JSON- and CSV-ready row."""
        def median(values: list[float]) -> float | None:
            import statistics  # with fractions and decimal: only when a report is shown

            return round(statistics.median(values), 1) if values else None

        def share(value: float | None) -> float | None:
            return None if value is None else round(value * 100, 1)

        out: dict[str, Any] = {"period": self.label}
        out.update({f"new_{c}": self.volumes[c] for c in CHANNELS})
        out.update({
            "first_response_median_s": median(self.first_response_s),
            "resolution_median_s": median(self.resolution_s),
            "calls_offered": self.calls_offered, "calls_answered": self.calls.answered,
            "calls_abandoned": self.calls.abandoned,
            "service_level_pct": share(self.calls.service_level),
            "answer_rate_pct": share(self.calls.answer_rate), "service_debt": self.debt,
        })
        return out


def _start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def period_label(day: date, by_week: bool) -> str:
    if not by_week:
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def figures(first_day: date, last_day: date, zone: tzinfo, *, by_week: bool = False,
            service_level_s: float = SERVICE_LEVEL_S) -> list[PeriodFigures]:
    """The periods from `first_day` to `last_day` inclusive, oldest first."""
    start, end = _start(first_day, zone), _start(last_day + timedelta(days=1), zone)
    periods: dict[str, PeriodFigures] = {}
    day = first_day
    while day <= last_day:
        label = period_label(day, by_week)
        periods.setdefault(label, PeriodFigures(label))
        day += timedelta(days=1)

    def period(moment: datetime) -> PeriodFigures:
        return periods[period_label(moment.astimezone(zone).date(), by_week)]

    tickets = (Ticket.select(Ticket.channel, Ticket.created_at, Ticket.first_responded_at,
                             Ticket.resolved_at)
               .where(((Ticket.created_at >= start) & (Ticket.created_at < end))
                      | ((Ticket.resolved_at >= start) & (Ticket.resolved_at < end))).tuples())
    for channel, created, responded, resolved in cast(
            Iterable[tuple[str, datetime, datetime | None, datetime | None]], tickets.iterator()):
        if start <= created < end:
            bucket = period(created)
            bucket.volumes[channel] += 1
            if responded is not None:
                bucket.first_response_s.append((responded - created).total_seconds())
        if resolved is not None and start <= resolved < end:
            period(resolved).resolution_s.append((resolved - created).total_seconds())
    _add_calls(periods, period, start, end, service_level_s)
    for figure in debt_series(first_day, last_day, zone):
        periods[period_label(figure.day, by_week)].debt = figure.debt  # the period's last day
    return list(periods.values())


def _add_calls(periods: dict[str, PeriodFigures], period: Any, start: datetime,
               end: datetime, service_level_s: float) -> None:
    """Calls per period; the rates are `appliance.store.call_figures`', as on MQTT."""
    samples: dict[str, list[CallSample]] = defaultdict(list)
    calls = (Call.select(Call.offered_at, Call.outcome, Call.wait_seconds)
             .where((Call.offered_at >= start) & (Call.offered_at < end)
                    & (Call.direction == "in")).tuples())
    for offered, outcome, wait in cast(Iterable[tuple[datetime, str | None, float]],
                                       calls.iterator()):
        bucket: PeriodFigures = period(offered)
        bucket.calls_offered += 1
        if outcome is not None:  # a call still under way has no outcome to count yet
            samples[bucket.label].append(CallSample(outcome, wait))
    for label, finished in samples.items():
        periods[label].calls = call_figures(finished, service_level_s=service_level_s)


def debt_series(first_day: date, last_day: date, zone: tzinfo) -> list[Any]:
    """Service debt per day (appliance.tickets.service_debt), from the tickets as they are."""
    start, end = _start(first_day, zone), _start(last_day + timedelta(days=1), zone)
    rows = (Ticket.select(Ticket.created_at, Ticket.resolved_at)
            .where((Ticket.created_at < end)
                   & (Ticket.resolved_at.is_null() | (Ticket.resolved_at >= start))).tuples())
    spans = (TicketSpan(created, resolved if resolved is None or resolved >= created else created)
             for created, resolved in cast(Iterable[tuple[datetime, datetime | None]],
                                          rows.iterator()))
    return service_debt_series(spans, first_day, last_day, zone)


def series_by_day(first_day: date, last_day: date, zone: tzinfo) -> dict[str, list[Any]]:
    """Debt per day as two lists (days, values), for the chart."""
    series = debt_series(first_day, last_day, zone)
    grouped: dict[str, list[Any]] = defaultdict(list)
    for figure in series:
        grouped["days"].append(figure.day.isoformat())
        grouped["debt"].append(figure.debt)
    return dict(grouped)
