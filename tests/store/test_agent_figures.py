"""Per-agent figures and callers' waits over a period, from what the store holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import peewee as pw
import pytest

from appliance.store.agent_figures import agent_figures
from appliance.store.models import Agent, Call, Message, Ticket
from appliance.store.wait_history import p90, wait_history

HEL = ZoneInfo("Europe/Helsinki")
START = datetime(2026, 3, 9, 22, 0, tzinfo=UTC)  # 2026-03-10 00:00 in Helsinki
END = START + timedelta(days=1)


def ticket(number: int, assignee: Agent | None, created: datetime,
           resolved: datetime | None = None, responded: datetime | None = None) -> Ticket:
    return Ticket.create(number=number, channel="email", assignee=assignee, created_at=created,
                         updated_at=created, resolved_at=resolved, first_responded_at=responded,
                         status="resolved" if resolved else "open")


def reply(t: Ticket, author: Agent, at: datetime) -> None:
    Message.create(ticket=t, channel="email", direction="out", author=author, created_at=at)


def call(ref: str, offered: datetime, wait: float, agent: Agent | None = None,
         outcome: str | None = "answered") -> None:
    Call.create(call_ref=ref, line="gsm0", offered_at=offered, wait_seconds=wait, agent=agent,
                answered_at=offered + timedelta(seconds=wait) if agent else None, outcome=outcome)


def test_each_agent_s_handled_work_and_medians(db: pw.Database) -> None:
    aino = Agent.create(name="Aino", login="aino")
    bertta = Agent.create(name="Bertta", login="bertta")
    t1 = START + timedelta(hours=8)
    # Aino resolves two: in 1 h and in 3 h; Bertta answered the first one first, in 10 min
    first = ticket(1001, aino, t1, resolved=t1 + timedelta(hours=1),
                   responded=t1 + timedelta(minutes=10))
    reply(first, bertta, t1 + timedelta(minutes=10))
    reply(first, aino, t1 + timedelta(minutes=20))
    second = ticket(1002, aino, t1, resolved=t1 + timedelta(hours=3),
                    responded=t1 + timedelta(minutes=30))
    reply(second, aino, t1 + timedelta(minutes=30))
    ticket(1003, bertta, START - timedelta(days=2), resolved=START - timedelta(days=1))  # before
    call("c1", t1, 12.0, bertta)
    call("c2", t1 + timedelta(hours=1), 20.0, bertta)
    call("c3", t1 + timedelta(hours=2), 40.0, None, "abandoned")

    figures = {f.name: f.json() for f in agent_figures(START, END)}
    assert figures == {
        "Aino": {"agent_id": aino.id, "agent": "Aino", "handled": 2, "tickets_resolved": 2,
                 "calls_answered": 0, "first_response_median_s": 1800.0,
                 "resolution_median_s": 7200.0},
        "Bertta": {"agent_id": bertta.id, "agent": "Bertta", "handled": 2,
                   "tickets_resolved": 0, "calls_answered": 2,
                   "first_response_median_s": 600.0, "resolution_median_s": None},
    }


def test_nobody_handled_anything_in_an_empty_period(db: pw.Database) -> None:
    Agent.create(name="Aino", login="aino")
    assert agent_figures(START, END) == []


@pytest.mark.parametrize(("values", "expected"), [
    ([5.0], 5.0), ([1.0, 2.0], 2.0), ([float(i) for i in range(1, 11)], 9.0),
    ([float(i) for i in range(1, 21)], 18.0),
])
def test_p90_is_the_nearest_rank(values: list[float], expected: float) -> None:
    assert p90(values) == expected


def test_waits_per_day_and_per_hour(db: pw.Database) -> None:
    nine = START + timedelta(hours=9)  # 09:00 local on 2026-03-10
    for i, wait in enumerate([10.0, 20.0, 30.0, 40.0, 100.0]):
        call(f"a{i}", nine + timedelta(minutes=i), wait, None, "abandoned" if i == 4 else None)
    for i, wait in enumerate([5.0, 15.0]):
        call(f"b{i}", nine + timedelta(days=1, hours=5), wait)  # the 11th, 14:00
    call("live", nine, 999.0, None, None)  # still under way: no wait to count yet
    Call.update(outcome="answered").where(Call.call_ref.startswith("a")
                                          & Call.outcome.is_null()).execute()

    days = wait_history(date(2026, 3, 10), date(2026, 3, 12), HEL)
    assert [w.json() for w in days] == [
        {"period": "2026-03-10", "calls": 5, "wait_median_s": 30.0, "wait_p90_s": 100.0},
        {"period": "2026-03-11", "calls": 2, "wait_median_s": 10.0, "wait_p90_s": 15.0},
        {"period": "2026-03-12", "calls": 0, "wait_median_s": None, "wait_p90_s": None},
    ]
    hours = {w.label: (w.calls, w.median_s) for w in
             wait_history(date(2026, 3, 10), date(2026, 3, 12), HEL, by="hour")}
    assert len(hours) == 24
    assert hours["09"] == (5, 30.0)
    assert hours["14"] == (2, 10.0)
    assert hours["00"] == (0, None)
