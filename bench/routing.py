"""Benchmark of the call path: ring bytes on the pty -> the box dials the first agent.

10 agents, 10,000 open tickets in an SQLite store, 500 calls one after another,
each from its own number (half of them known customers). Everything is the
product's own: the modem simulator on a pseudo-terminal, the AT channel, the
driver, the event bus, the exchange with its customer look-up in the store
thread, the pure call flow, and the AT commands back (ATA, AT+CHLD=2, ATD).
Each agent answers at once and the call is transferred (ECT) before the next.

The anchor, from the same run: the time the ring bytes (RING + +CLIP) take on
a 115,200-baud serial line at 10 bits per byte.

Run from the repository root: .venv/bin/python -m bench.routing [--calls 500]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from appliance.calls.exchange import Exchange
from appliance.calls.exchange_plan import ExchangePlan
from appliance.config.sections.gsm_modems import ModemSettings
from appliance.gsm.at_channel import AtChannel
from appliance.gsm.driver import ModemDriver
from appliance.gsm.line import GsmLine
from appliance.gsm.simulator import create_simulator
from appliance.gsm.transport import open_port
from appliance.presence import Presence, set_presence
from appliance.queue import RingGroup, RingStrategy
from appliance.queue.call_setup import FlowRules
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.spine.events import CallRecorded, Event
from appliance.store.customers import CustomerDirectory
from appliance.store.history import HistoryWriter
from appliance.store.models import Agent, Customer, Ticket
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.tickets.business_calendar import BusinessCalendar
from bench.results import Row, record

AGENTS = 10
OPEN_TICKETS = 10_000
BAUD = 115_200
BITS_PER_BYTE = 10  # start bit, 8 data bits, stop bit
GOAL_MEDIAN_MS = 5.0
GOAL_P99_MS = 20.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def seed_store(path: Path, calls: int) -> None:
    """Agents, customers for half the callers, and the open tickets."""
    db = open_store(path)
    now = datetime.now(UTC)
    with db.atomic():
        for i in range(1, AGENTS + 1):
            Agent.create(id=i, name=f"Agent {i}", login=f"agent{i}", phone=_agent_phone(i))
    directory = CustomerDirectory(db)
    with db.atomic():
        for n in range(0, calls, 2):
            directory.find_or_create_by_phone(_caller(n))
    customers = [c.id for c in Customer.select(Customer.id)]
    rows = [
        {"number": 1000 + n, "channel": "email", "subject": f"Question {n}", "status": "open",
         "customer": customers[n % len(customers)], "created_at": now, "updated_at": now}
        for n in range(OPEN_TICKETS)
    ]
    with db.atomic():
        for start in range(0, len(rows), 500):
            Ticket.insert_many(rows[start:start + 500]).execute()
    db.close()


def _agent_phone(i: int) -> str:
    return f"+3585010000{i:02d}"


def _caller(n: int) -> str:
    return f"+35840{n:07d}"


class Recorded:
    """Waits for one CallRecorded at a time."""

    def __init__(self, bus: EventBus) -> None:
        self.event = asyncio.Event()
        bus.subscribe("bench", self._take, (CallRecorded,))

    def _take(self, event: Event) -> None:
        self.event.set()


async def run(calls: int) -> tuple[list[float], int]:
    with tempfile.TemporaryDirectory(prefix="aspa-bench-") as tmp:
        store_path = Path(tmp) / "aspa.db"
        seed_store(store_path, calls)
        db = open_store(store_path)
        db.close()
        sim = create_simulator("sim800", Path(tmp), "gsm-modem", ring_interval=None)
        await sim.start()
        clock = SystemClock()
        bus = EventBus()
        worker = StoreWorker(db)
        lookups = StoreWorker(db, name="lookups")
        HistoryWriter(db, worker=worker).attach(bus)
        recorded = Recorded(bus)
        reader, writer = await open_port(sim.path)
        channel = AtChannel(reader, writer, name="gsm0", default_timeout=2.0)
        settings = dataclasses.replace(ModemSettings(), name="gsm0", device=sim.path)
        driver = ModemDriver(settings, bus, clock=clock)
        board = Switchboard(worker, bus, clock)
        await board.load()
        for i in range(1, AGENTS + 1):
            board.change_presence(i, lambda s, now: set_presence(s, Presence.AVAILABLE, now),
                                  source="bench")
        tickets = TicketBook(db, bus, clock, worker=worker)
        board.use_tickets(tickets)
        board.attach()
        group = RingGroup("tuki", tuple(range(1, AGENTS + 1)), RingStrategy.RRMEMORY,
                          ring_timeout_s=20, wrap_up_s=0, max_wait_s=120)
        plan = ExchangePlan(
            groups={"tuki": group},
            numbers={i: _agent_phone(i) for i in range(1, AGENTS + 1)},
            rules=FlowRules(assumed_talk_s=0),
            calendar=BusinessCalendar.twenty_four_seven(),
        )
        exchange = Exchange(plan, bus=bus, clock=clock, store=worker,
                        tickets=tickets, directory=CustomerDirectory(db), board=board,
                        lookups=lookups)
        exchange.add_line(GsmLine(driver))
        bus.start()
        exchange.start()
        await driver.attach(channel)

        dialled = asyncio.Event()
        dial_handler = sim.commands["D"]
        dial_at = 0.0

        def timed_dial(arg: str) -> list[str] | None:
            nonlocal dial_at
            dial_at = time.perf_counter()
            dialled.set()
            return dial_handler(arg)

        sim.commands["D"] = timed_dial
        ring_bytes = 0
        latencies: list[float] = []
        try:
            for n in range(calls):
                dialled.clear()
                recorded.event.clear()
                start = time.perf_counter()
                index = await sim.incoming_call(_caller(n))
                call = sim.call(index)
                assert call is not None
                # exactly what the simulator wrote: each line framed as \r\n<line>\r\n
                ring_bytes = sum(len(f"\r\n{line}\r\n") for line in sim.ring_lines(call))
                async with asyncio.timeout(5):
                    await dialled.wait()
                latencies.append(dial_at - start)
                await sim.remote_answers()
                async with asyncio.timeout(5):
                    await recorded.event.wait()
                await exchange.settle()
        finally:
            await exchange.stop()
            driver.detach("bench over")
            await channel.close()
            await sim.stop()
            await bus.stop()
            worker.close()
            lookups.close()
        return latencies, ring_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    latencies, ring_bytes = asyncio.run(run(args.calls))
    wire_ms = ring_bytes * BITS_PER_BYTE / BAUD * 1000
    median_ms = statistics.median(latencies) * 1000
    p99_ms = percentile(latencies, 0.99) * 1000
    print(f"{AGENTS} agents, {OPEN_TICKETS:,} open tickets, {len(latencies)} calls (sim800)")
    print(f"anchor: {ring_bytes} ring bytes at {BAUD:,} baud = {wire_ms:.2f} ms on the wire")
    print(f"ring bytes -> first ATD written: median {median_ms:.2f} ms "
          f"({median_ms / wire_ms:.2f} x wire), "
          f"p99 {p99_ms:.2f} ms ({p99_ms / wire_ms:.2f} x wire)")
    met = median_ms <= GOAL_MEDIAN_MS and p99_ms <= GOAL_P99_MS
    print(f"Goal (median <= {GOAL_MEDIAN_MS:g} ms, p99 <= {GOAL_P99_MS:g} ms): "
          f"{'met' if met else 'NOT met'}")
    record([Row("GSM RING -> first ATD (10 agents, 10,000 open)",
                f"median <= {GOAL_MEDIAN_MS:g} ms, p99 <= {GOAL_P99_MS:g} ms",
                f"ring bytes on the wire {wire_ms:.2f} ms",
                f"median {median_ms:.2f} ms, p99 {p99_ms:.2f} ms", median_ms / wire_ms, met)])


if __name__ == "__main__":
    main()
