"""Notices recorded per second when an escalation round tells thousands of breaches.

A store with AGENTS agents and BREACHED open tickets, the bus and the notifier as the
daemon wires them; every ticket's breach is published at once with `tell_team` (each
is a notice to every agent, the page their way), and the clock runs until the
notices subscriber has recorded them all. The anchor, in the same run and store: notices
recorded one store call and one transaction each (`notice_log.claim`), as every notice
was before they were recorded a batch at a time. Goal: 20,000 notices within 10 s
(2,000 a second). Prints the one-minute load average with the figures.

    .venv/bin/python -m bench.notice_burst [--breached 2000] [--agents 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time as clock_time
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from appliance.queue.notice_rules import NoticeWay
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import SlaBreached
from appliance.store import notice_log
from appliance.store.models import Agent, NoticeLogEntry, Ticket
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker
from appliance.switchboard.notifier import Notifier
from appliance.tickets.business_calendar import BusinessCalendar
from bench.results import Row, record

GOAL_PER_S = 2_000.0
ANCHOR_NOTICES = 1_000
NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday, the office open
OFFICE = BusinessCalendar.from_hours("UTC", {d: [(time(8), time(16))] for d in range(5)})


def _fill(breached: int, agents: int) -> list[int]:
    with Agent._meta.database.atomic():
        for i in range(agents):
            Agent.create(login=f"agent{i}", name=f"Agent {i}", role="agent", password_hash="x",
                         active=True)
        ids = []
        for i in range(breached):
            due = NOW - timedelta(hours=1, minutes=i)
            ticket = Ticket.create(number=1001 + i, channel="email", subject=f"Ticket {i}",
                                   status="open", priority="normal", created_at=due,
                                   updated_at=due, first_response_due=due, resolution_due=due)
            ids.append(int(ticket.id))
    return ids


async def one_at_a_time(store: StoreWorker, agent_id: int, count: int) -> float:
    """Notices a second, each recorded by a store call and a transaction of its own."""
    began = clock_time.perf_counter()
    for n in range(count):
        await store.call(notice_log.claim, f"anchor:{n}", kind="sla_breach",
                         state=notice_log.PAGE, now=NOW, agent_id=agent_id, way="page",
                         text=f"Tiketti #{n}")
    return count / (clock_time.perf_counter() - began)


async def burst(folder: Path, breached: int, agents: int) -> tuple[int, float, float]:
    db = open_store(folder / "aspa.db")
    db.close()
    store = StoreWorker(db)
    try:
        ids = await store.call(_fill, breached, agents)
        bus = EventBus()
        clock = ManualClock(NOW)
        notifier = Notifier(store, bus, clock, OFFICE,
                            senders={NoticeWay.EMAIL: _never})
        await notifier.start()
        bus.start()
        began = clock_time.perf_counter()
        for n, ticket_id in enumerate(ids):
            bus.publish(SlaBreached(at=NOW, ticket_id=ticket_id, due=NOW - timedelta(minutes=n),
                                    assignee_id=None, tell_team=True))
        await bus.drain()
        took = clock_time.perf_counter() - began
        await notifier.stop()
        await bus.stop()
        recorded = await store.call(
            lambda: NoticeLogEntry.select().where(NoticeLogEntry.agent.is_null(False)).count())
        anchor = await one_at_a_time(store, 1, ANCHOR_NOTICES)
        return recorded, took, anchor
    finally:
        store.close()


async def _never(_notice: object) -> None:
    raise RuntimeError("no notice is sent in this bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--breached", type=int, default=2_000)
    parser.add_argument("--agents", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        recorded, took, anchor = asyncio.run(burst(Path(folder), args.breached, args.agents))
    rate = recorded / took
    met = rate >= GOAL_PER_S and recorded == args.breached * args.agents
    print(f"{recorded:,} notices recorded in {took:.1f} s: {rate:,.0f} a second; one at a "
          f"time (anchor): {anchor:,.0f} a second; ratio {rate / anchor:.1f} "
          f"(load average {os.getloadavg()[0]:.2f})")
    print(f"goal >= {GOAL_PER_S:,.0f} a second: {'met' if met else 'NOT met'}")
    record([Row(f"notices recorded, {args.breached:,} breaches x {args.agents} agents",
                f">= {GOAL_PER_S:,.0f}/s", f"one at a time {anchor:,.0f}/s", f"{rate:,.0f}/s",
                rate / anchor, met)])


if __name__ == "__main__":
    main()
