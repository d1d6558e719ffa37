"""The figures of `aspa stats --json`, read from a store with known contents."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import peewee as pw

from appliance.store.daily_figures import close_day, close_finished_days
from appliance.store.models import Agent, DailyFigure, Quarantine, Ticket
from appliance.store.stats import store_stats

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 14:00 in Helsinki
TODAY_START = datetime(2026, 3, 9, 22, 0, tzinfo=UTC)  # local midnight


def ticket(number: int, status: str, created: datetime, resolved: datetime | None = None) -> None:
    Ticket.create(number=number, channel="email", status=status, created_at=created,
                  updated_at=created, resolved_at=resolved)


def test_stats_count_what_is_stored(db: pw.Database) -> None:
    yesterday = TODAY_START - timedelta(hours=5)
    ticket(1001, "open", yesterday)  # open at start, still open
    ticket(1002, "resolved", yesterday, TODAY_START + timedelta(hours=1))  # resolved today
    ticket(1003, "closed", yesterday - timedelta(days=1), yesterday)  # done before today
    ticket(1004, "new", TODAY_START + timedelta(minutes=5))  # new today, just after midnight
    ticket(1005, "pending", TODAY_START - timedelta(minutes=5))  # 23:55 yesterday, local
    Quarantine.create(source="mail:support", reason="no From", raw=b"x")
    Quarantine.create(source="mail:support", reason="too big", raw=b"y", replayed_at=NOW)
    aino = Agent.create(name="Aino", login="aino")
    bertta = Agent.create(name="Bertta", login="bertta")
    Agent.create(name="Cecilia", login="cecilia")
    Agent.create(name="Gone", login="gone", active=False)

    stats = store_stats(NOW, HELSINKI, presence={aino.id: "available", bertta.id: "busy"},
                        waiting_calls=2)

    assert stats == {
        "tickets": {"new": 1, "open": 1, "pending": 1, "resolved": 1, "closed": 1},
        "quarantine": {"count": 2, "unreplayed": 1},
        "agents": {"available": 1, "busy": 1, "away": 0, "offline": 1},
        "waiting_calls": 2,
        "service_debt": {"day": "2026-03-10", "open_at_start": 3, "new": 1, "resolved": 1,
                         "debt": 3},
    }
    json.dumps(stats)  # plain data, ready for --json


def test_stored_daily_figure_wins_and_empty_store_reads_zero(db: pw.Database) -> None:
    empty = store_stats(NOW, HELSINKI)
    assert empty["tickets"] == dict.fromkeys(("new", "open", "pending", "resolved", "closed"), 0)
    assert empty["waiting_calls"] == 0 and empty["service_debt"]["debt"] == 0
    DailyFigure.create(day=date(2026, 3, 10), open_at_start=7, new=4, resolved=6)
    assert store_stats(NOW, HELSINKI)["service_debt"] == {
        "day": "2026-03-10", "open_at_start": 7, "new": 4, "resolved": 6, "debt": 5}


def test_finished_days_are_stored_once_and_chain_their_debt(db: pw.Database) -> None:
    day1 = TODAY_START - timedelta(days=3)  # local midnights, three days back
    ticket(1001, "open", day1 + timedelta(hours=9))
    ticket(1002, "resolved", day1 + timedelta(hours=10), day1 + timedelta(days=1, hours=2))
    ticket(1003, "new", day1 + timedelta(days=2, hours=8))

    closed = close_finished_days(NOW, HELSINKI)

    assert closed == [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)]
    figures = [(f.open_at_start, f.new, f.resolved)
               for f in DailyFigure.select().order_by(DailyFigure.day)]
    assert figures == [(0, 2, 0), (2, 0, 1), (1, 1, 0)]
    # a reopened ticket no longer counts as resolved, but the closed day keeps its figure
    Ticket.update(status="open", resolved_at=None).where(Ticket.number == 1002).execute()
    assert close_finished_days(NOW, HELSINKI) == []
    assert close_day(date(2026, 3, 8), HELSINKI).resolved == 1
    assert store_stats(NOW, HELSINKI)["service_debt"]["open_at_start"] == 3


def test_no_tickets_no_days(db: pw.Database) -> None:
    assert close_finished_days(NOW, HELSINKI) == []
