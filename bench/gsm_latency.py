"""Incoming-call latency of the GSM line: RING/+CLIP bytes on the pty -> CallOffered on the bus.

Runs the modem simulator and the real driver over a pseudo-terminal, offers
1,000 calls one after another, and prints the median and 99th percentile of
the time from the moment the simulator writes the ring bytes until a bus
subscriber holds the CallOffered event, against two anchors from the same run:
the time those bytes take on a 115,200-baud serial line (10 bits per byte),
and the bare pty hop (write to the master, read on the slave, no parsing).

    .venv/bin/python -m bench.gsm_latency [--calls 1000] [--model sim7600]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import tempfile
import time
import tty
from pathlib import Path

from appliance.config.sections.gsm_modems import ModemSettings
from appliance.gsm.at_channel import AtChannel
from appliance.gsm.driver import ModemDriver
from appliance.gsm.simulator import create_simulator
from appliance.gsm.transport import open_port
from appliance.spine.bus import EventBus
from appliance.spine.events import CallEnded, CallOffered, Event
from bench.results import Row, record

BAUD = 115_200
BITS_PER_BYTE = 10  # start + 8 data + stop
GOAL_MEDIAN_MS = 2.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def pty_hop_anchor(rounds: int, payload: bytes) -> list[float]:
    """Seconds from os.write on a pty master until the slave side's reader has the bytes."""
    master, slave = os.openpty()
    tty.setraw(slave)
    loop = asyncio.get_running_loop()
    got: asyncio.Queue[float] = asyncio.Queue()

    def readable() -> None:
        os.read(slave, 4096)
        got.put_nowait(time.perf_counter())

    loop.add_reader(slave, readable)
    samples = []
    try:
        for _ in range(rounds):
            start = time.perf_counter()
            os.write(master, payload)
            samples.append(await got.get() - start)
    finally:
        loop.remove_reader(slave)
        os.close(master)
        os.close(slave)
    return samples


async def run(calls: int, model: str) -> None:
    link_dir = Path(tempfile.mkdtemp(prefix="aspa-bench-"))
    sim = create_simulator(model, link_dir, "gsm-modem", ring_interval=None)
    await sim.start()
    bus = EventBus()
    offered_at: asyncio.Queue[tuple[float, Event]] = asyncio.Queue()
    ended: asyncio.Queue[Event] = asyncio.Queue()

    def on_event(event: Event) -> None:
        if isinstance(event, CallOffered):
            offered_at.put_nowait((time.perf_counter(), event))
        elif isinstance(event, CallEnded):
            ended.put_nowait(event)

    bus.subscribe("bench", on_event, kinds=(CallOffered, CallEnded))
    bus.start()
    settings = dataclasses.replace(ModemSettings(), name="gsm0", device=sim.path)
    reader, writer = await open_port(sim.path)
    channel = AtChannel(reader, writer, name="gsm0")
    driver = ModemDriver(settings, bus)
    await driver.attach(channel)

    ring_bytes = 0
    latencies: list[float] = []
    for _ in range(calls):
        written_before = sim.link.bytes_written
        start = time.perf_counter()
        await sim.incoming_call("+358401234567")
        ring_bytes = sim.link.bytes_written - written_before
        stamp, event = await offered_at.get()
        latencies.append(stamp - start)
        assert isinstance(event, CallOffered)
        await driver.hangup(event.call_id)
        await ended.get()

    wire = ring_bytes * BITS_PER_BYTE / BAUD
    ring = b"".join(f"\r\n{x}\r\n".encode() for x in ("RING", '+CLIP: "+358401234567",145,,,,0'))
    hop = await pty_hop_anchor(calls, ring)
    median, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    hop_median = statistics.median(hop)
    print(f"model {model}, {calls} incoming calls, {ring_bytes} ring bytes per call")
    print(f"anchor: {ring_bytes} bytes at {BAUD} baud = {wire * 1e3:.3f} ms on the wire")
    print(f"anchor: bare pty hop median {hop_median * 1e3:.3f} ms")
    print(f"ring -> CallOffered median {median * 1e3:.3f} ms  p99 {p99 * 1e3:.3f} ms")
    print(f"ratio to wire time: median {median / wire:.2f}  p99 {p99 / wire:.2f}")
    print(f"ratio to bare pty hop: median {median / hop_median:.1f}")
    verdict = "met" if median * 1e3 <= GOAL_MEDIAN_MS else "NOT met"
    print(f"goal median <= {GOAL_MEDIAN_MS} ms: {verdict}")
    record([Row(f"GSM ring -> CallOffered median ({model})", f"<= {GOAL_MEDIAN_MS:g} ms",
                f"{ring_bytes} bytes on a 115,200-baud wire {wire * 1e3:.2f} ms",
                f"{median * 1e3:.3f} ms", median / wire, median * 1e3 <= GOAL_MEDIAN_MS)])

    driver.detach("benchmark over")
    await channel.close()
    await sim.stop()
    await bus.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--model", default="sim7600", choices=["sim7600", "sim800", "ec25",
                                                                 "generic"])
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.model))


if __name__ == "__main__":
    main()
