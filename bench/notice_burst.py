"""Notices recorded per second when an escalation round tells thousands of breaches.

A store with AGENTS agents and BREACHED open tickets, the bus and the notifier as the
daemon wires them; every ticket's breach is published at once with `tell_team` (each
is a notice to every agent, the page their way), and the clock runs until the
notices subscriber has recorded them all. Prints notices a second, the store
transactions the notifier's recording took, and the one-minute load average.

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
from appliance.store.models import Agent, NoticeLogEntry, Ticket
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker
from appliance.switchboard.notifier import Notifier
from appliance.tickets.business_calendar import BusinessCalendar

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


async def burst(folder: Path, breached: int, agents: int) -> tuple[int, float]:
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
        return recorded, took
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
        recorded, took = asyncio.run(burst(Path(folder), args.breached, args.agents))
    print(f"{recorded} notices recorded in {took:.1f} s: {recorded / took:.0f} a second "
          f"(load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
