"""Finished days' service-debt figures, stored once so the series does not shift later.

Counted from the tickets, a past day changes when a ticket resolved that day
is reopened; the stored DailyFigure keeps the day as it was when it closed.
Call `close_finished_days` after local midnight (and at start, to catch up).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

import peewee as pw

from appliance.store.models import DailyFigure, Ticket
from appliance.store.stats import count_day

CATCH_UP_DAYS_MAX = 62  # a box off for longer starts its series again rather than guess


def close_day(day: date, zone: tzinfo) -> DailyFigure:
    """Store the figure of a finished local day; a day already stored is kept as it was."""
    existing: DailyFigure | None = DailyFigure.get_or_none(DailyFigure.day == day)
    if existing is not None:
        return existing
    open_at_start, new, resolved = count_day(day, zone)
    try:
        with DailyFigure._meta.database.atomic():
            figure: DailyFigure = DailyFigure.create(
                day=day, open_at_start=open_at_start, new=new, resolved=resolved)
            return figure
    except pw.IntegrityError:
        stored: DailyFigure = DailyFigure.get(DailyFigure.day == day)  # another writer won
        return stored


def close_finished_days(now: datetime, zone: tzinfo) -> list[date]:
    """Store every finished day since the last stored one (or the first ticket); returns them."""
    today = now.astimezone(zone).date()
    last: date | None = DailyFigure.select(pw.fn.MAX(DailyFigure.day)).scalar()
    if last is None:
        first_ticket = Ticket.select(pw.fn.MIN(Ticket.created_at)).scalar()
        if first_ticket is None:
            return []
        start = _local_day(first_ticket, zone)
    else:
        start = _as_date(last) + timedelta(days=1)
    start = max(start, today - timedelta(days=CATCH_UP_DAYS_MAX))
    closed = []
    day = start
    while day < today:
        close_day(day, zone)
        closed.append(day)
        day += timedelta(days=1)
    return closed


def _local_day(moment: object, zone: tzinfo) -> date:
    # MIN() comes back raw (not through UtcDateTimeField): naive UTC, as a datetime or text
    value = moment if isinstance(moment, datetime) else datetime.fromisoformat(str(moment))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).date()


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
