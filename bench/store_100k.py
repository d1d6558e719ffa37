"""Benchmark of the store with 100,000 tickets on SQLite (WAL, synchronous=FULL).

Each figure is printed against the anchor, one primary-key read of a ticket
measured in the same run, so the ratios mean the same on a laptop and on a
Raspberry Pi. Also printed: the batched history writer against one
transaction per event, the start-up integrity check, and how much the
process grew while doing it all.

Run from the repository root: .venv/bin/python -m bench.store_100k [--tickets N]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from appliance.spine.clock import ManualClock
from appliance.spine.events import HealthChanged
from appliance.store.history import HistoryWriter
from appliance.store.models import Agent, Customer, HistoryEntry, Message, Ticket
from appliance.store.sqlite_preflight import read_sqlite_schema_version
from appliance.store.startup import open_store
from appliance.store.stats import store_stats
from appliance.store.ticket_records import MessageDraft, TicketRecords
from bench.results import Row, record

STATUSES = ("new", "open", "pending", "resolved", "closed")
WEIGHTS = (2, 5, 3, 20, 70)
CHUNK = 5_000
SAMPLES = 200
START = datetime(2025, 1, 1, tzinfo=UTC)


def fill(tickets: int, agents: list[int], customers: list[int]) -> None:
    """Bulk-load tickets with one message and one history row each."""
    rng = random.Random(7)
    for base in range(0, tickets, CHUNK):
        rows = []
        for i in range(base, min(base + CHUNK, tickets)):
            at = START + timedelta(minutes=5 * i)
            rows.append({
                "number": 1001 + i, "channel": "email", "subject": f"asia {i}",
                "status": rng.choices(STATUSES, WEIGHTS)[0], "customer": rng.choice(customers),
                "assignee": rng.choice(agents), "created_at": at, "updated_at": at,
            })
        Ticket.insert_many(rows).execute()
    first_id = Ticket.select(Ticket.id).order_by(Ticket.id).scalar()
    for base in range(0, tickets, CHUNK):
        ids = range(first_id + base, first_id + min(base + CHUNK, tickets))
        Message.insert_many([{
            "ticket": t, "channel": "email", "direction": "in", "body_text": "x" * 400,
            "message_id": f"<{t}@example.fi>", "created_at": START,
        } for t in ids]).execute()
        HistoryEntry.insert_many([{
            "at": START, "kind": "ticket.created", "event_id": f"{t:032x}", "ticket": t,
            "data": {"kind": "ticket.created"},
        } for t in ids]).execute()


def median_us(action: Callable[[], object], samples: int = SAMPLES) -> float:
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1e6


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Build the store, measure, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    tickets = parser.parse_args().tickets
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "aspa.db"
        db = open_store(path)
        agents = [Agent.create(name=f"a{i}", login=f"a{i}").id for i in range(10)]
        customers = [Customer.create(name=f"c{i}").id for i in range(2_000)]
        began = time.perf_counter()
        fill(tickets, agents, customers)
        fill_s = time.perf_counter() - began
        clock = ManualClock(START + timedelta(days=400))
        records = TicketRecords(db, clock)
        rng = random.Random(1)
        top_id = Ticket.select(Ticket.id).order_by(Ticket.id.desc()).scalar()
        rss_before = rss_mib()

        anchor = median_us(lambda: Ticket.get_by_id(rng.randint(1, top_id)))
        figures = {
            "page: newest 50 open": median_us(lambda: records.page(status="open", limit=50)),
            "page: one agent's open": median_us(
                lambda: records.page(status="open", assignee_id=rng.choice(agents))),
            "page: one customer's": median_us(
                lambda: records.page(customer_id=rng.choice(customers))),
            "by_message_id": median_us(
                lambda: records.by_message_id(f"<{rng.randint(1, top_id)}@example.fi>")),
            "store_stats (aspa stats)": median_us(
                lambda: store_stats(clock.now(), UTC), samples=20),
            "open_ticket + message (FULL sync)": median_us(lambda: records.open_ticket(
                "email", "uusi", rng.choice(customers),
                message=MessageDraft(channel="email", direction="in", body_text="hei")),
                samples=50),
        }
        writer = HistoryWriter(db)
        events = [HealthChanged(at=clock.now(), part="disk", ok=True) for _ in range(2_000)]
        began = time.perf_counter()
        for event in events[:500]:
            writer.record([event])
        single_us = (time.perf_counter() - began) / 500 * 1e6
        began = time.perf_counter()
        for base in range(500, 2_000, 500):
            writer.record(events[base:base + 500])
        batched_us = (time.perf_counter() - began) / 1_500 * 1e6
        writer.worker.close()
        rss_after = rss_mib()
        db.close()
        size_mib = path.stat().st_size / 2**20
        began = time.perf_counter()
        read_sqlite_schema_version(path, 99)
        check_s = time.perf_counter() - began

    print(f"store_100k: {tickets:,} tickets (+ as many messages and history rows), "
          f"{size_mib:.0f} MiB file, bulk load {fill_s:.1f} s")
    print(f"  {'anchor: ticket by primary key':<36} median {anchor:9.1f} µs")
    for label, us in figures.items():
        print(f"  {label:<36} median {us:9.1f} µs  = {us / anchor:7.1f} anchors")
    print(f"  {'history, one event per transaction':<36} {single_us:9.1f} µs/event")
    print(f"  {'history, batches of 500':<36} {batched_us:9.1f} µs/event  "
          f"= {single_us / batched_us:.0f}x faster")
    print(f"  {'start-up check (quick_check)':<36} {check_s:9.2f} s")
    print(f"  process peak RSS {rss_before:.0f} MiB after loading, {rss_after:.0f} MiB after "
          f"the reads and writes above")
    # no goal of its own: the figures say how the store's reads compare with a key read
    slowest = max(figures, key=lambda label: figures[label])
    record([Row(f"store, {tickets:,} tickets: slowest read ({slowest})", "(none: for reference)",
                f"ticket by primary key {anchor:.0f} µs", f"{figures[slowest]:.0f} µs",
                figures[slowest] / anchor, True)])


if __name__ == "__main__":
    main()
