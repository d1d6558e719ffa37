"""Ringing latency of the VoIP line: a caller's INVITE sent -> the agent's phone gets its INVITE.

Starts baresip as the box's line from Aspa's config (loopback), a sipp
caller making calls one after another, and sipp "agent phones". Without
--desk, a small subscriber rings one fixed agent on each CallOffered
(`ring_parallel`) and hangs up once the phone rings. With --desk, the real
call desk does it: caller look-up in the store, the pure call flow and
routing (ring all over two agents' SIP phones, in parallel), presence and
history; the call overflows to a callback after a short maximum wait. The
times come from sipp's own message traces (same clock, same machine).
The anchor, from the same run and the same caller, is baresip's bare
answer time: caller's INVITE sent -> its 200 OK received.

    .venv/bin/python -m bench.voip_latency [--calls 200] [--desk]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import shutil
import socket
import statistics
import tempfile
from datetime import datetime
from pathlib import Path

from appliance.calls.exchange import Exchange
from appliance.calls.exchange_plan import ExchangePlan
from appliance.config.sections.voip import VoipSettings
from appliance.presence import Presence, set_presence
from appliance.queue import RingGroup, RingStrategy
from appliance.queue.call_setup import FlowRules
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.spine.events import CallOffered, CallStateChanged, Event
from appliance.store.customers import CustomerDirectory
from appliance.store.history import HistoryWriter
from appliance.store.models import Agent
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.voip.adapter import VoipLineAdapter
from appliance.voip.errors import VoipError
from bench.results import Row, record

GOAL_MEDIAN_MS = 20.0
SCENARIOS = Path(__file__).resolve().parent.parent / "tests" / "voip" / "scenarios"
LOOPBACK = "127.0.0.1"
_BLOCK = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n(UDP message (sent|received)"
                    r"[^\n]*)\n\n([^\n]*)", re.M)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def message_times(log: Path, direction: str, first_line: str) -> list[float]:
    """Times (s) of the messages sent/received whose first line starts with `first_line`."""
    times = []
    for match in _BLOCK.finditer(log.read_text(errors="replace")):
        if match.group(3) == direction and match.group(4).startswith(first_line):
            times.append(datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp())
    return times


def invite_answers(log: Path) -> list[float]:
    """Times of the 200 OK answering each INVITE (CSeq INVITE), as the caller received them."""
    text = log.read_text(errors="replace")
    times = []
    for match in _BLOCK.finditer(text):
        if match.group(3) == "received" and match.group(4).startswith("SIP/2.0 200"):
            body = text[match.end(): text.find("\n---", match.end())]
            if re.search(r"(?im)^CSeq:\s*\d+ INVITE", body):
                times.append(datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp())
    return times


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def free_sip_port() -> int:
    """A free port whose next port is free too: baresip 1.0 puts its TLS listener there."""
    while True:
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((LOOPBACK, port + 1))
            except OSError:
                continue
        return port


async def sipp(sipp_path: str, scenario: str, port: int, calls: int, work: Path,
               target: str | None = None) -> asyncio.subprocess.Process:
    args = [sipp_path, "-sf", str(SCENARIOS / scenario), "-i", LOOPBACK, "-p", str(port),
            "-mp", str(free_port()), "-m", str(calls), "-nostdin", "-trace_msg",
            "-timeout", "300s"]
    if target is not None:
        args += ["-s", "aspa", "-l", "1", "-r", "50", target]
    return await asyncio.create_subprocess_exec(
        *args, cwd=work, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL)


async def run(calls: int, through_desk: bool) -> Path:
    """Make the calls; the folder holding sipp's message traces."""
    baresip, sipp_path = shutil.which("baresip"), shutil.which("sipp")
    if baresip is None or sipp_path is None:
        raise SystemExit("needs baresip (Debian baresip-core) and sipp (Debian sip-tester)")
    work = Path(tempfile.mkdtemp(prefix="aspa-voip-bench-"))
    bus = EventBus()
    settings = VoipSettings(enabled=True, listen_address=LOOPBACK, sip_port=free_sip_port(),
                            rtp_port_min=30000, rtp_port_max=30099, baresip=baresip)
    box = VoipLineAdapter(settings, bus, SystemClock(), work / "voip")
    agent_ports = [free_port() for _ in range(2 if through_desk else 1)]
    if through_desk:
        desk = await start_exchange(box, bus, work,
                                    [f"sip:agent@{LOOPBACK}:{p}" for p in agent_ports])
    else:
        subscribe_router(box, bus, f"sip:agent@{LOOPBACK}:{agent_ports[0]}")
    bus.start()
    await box.start()
    if through_desk:
        desk.add_line(box.line)
        desk.start()
    try:
        phones = [await sipp(sipp_path, "agent_no_answer.xml", port, calls, work)
                  for port in agent_ports]
        caller = await sipp(sipp_path, "caller_waits.xml", free_port(), calls, work,
                            target=f"{LOOPBACK}:{settings.sip_port}")
        await asyncio.wait_for(caller.wait(), 600)
        for phone in phones:
            await asyncio.wait_for(phone.wait(), 60)
    finally:
        if through_desk:
            await desk.stop()
        await box.stop()
        await bus.stop()
        if through_desk:  # after the bus: the history writer stores the last events first
            desk.store.close()
            desk.lookups.close()
    return work


async def start_exchange(box: VoipLineAdapter, bus: EventBus, work: Path,
                     phones: list[str]) -> Exchange:
    """The real call desk on a fresh store: agents 1 and 2 on SIP phones, ring all."""
    clock = SystemClock()
    db = open_store(work / "aspa.db")
    for agent_id, phone in enumerate(phones, start=1):
        Agent.create(id=agent_id, name=f"Agent {agent_id}", login=f"agent{agent_id}",
                     phone=phone)
    store = StoreWorker(db)
    HistoryWriter(db, worker=store).attach(bus)
    members = tuple(range(1, len(phones) + 1))
    # rung once for the whole (short) wait, then a callback: one INVITE per phone per call
    group = RingGroup("tuki", members, RingStrategy.RINGALL, ring_timeout_s=0.3,
                      max_wait_s=0.3, retry_s=0.0, wrap_up_s=0.0)
    plan = ExchangePlan(groups={"tuki": group}, numbers=dict(enumerate(phones, start=1)),
                    rules=FlowRules(sms_on_callback=False), missed_limit=0)
    # the switchboard owns presence and the queue, as in the daemon
    board = Switchboard(store, bus, clock)
    await board.load()
    for agent_id in members:
        board.change_presence(agent_id, lambda s, now: set_presence(s, Presence.AVAILABLE, now),
                              source="bench")
    tickets = TicketBook(db, bus, clock, worker=store)
    board.use_tickets(tickets)
    board.attach()
    return Exchange(plan, bus=bus, clock=clock, store=store, tickets=tickets,
                    directory=CustomerDirectory(db), board=board,
                    lookups=StoreWorker(db, name="caller-lookups"))


def subscribe_router(box: VoipLineAdapter, bus: EventBus, agent_uri: str) -> None:
    """Without the desk: ring one fixed agent on every offer, hang up once it rings."""
    legs: dict[str, str] = {}  # agent leg -> caller's call

    async def route(event: Event) -> None:
        with contextlib.suppress(VoipError):  # the run is over and the line stopped meanwhile
            await ring_or_hang_up(event)

    async def ring_or_hang_up(event: Event) -> None:
        if isinstance(event, CallOffered):
            (leg,) = await box.line.ring_parallel([agent_uri])
            legs[leg] = event.call_id
        elif isinstance(event, CallStateChanged) and event.state == "alerting":
            caller = legs.pop(event.call_id, None)
            if caller is not None:
                await box.line.hang_up(caller, event.call_id)

    bus.subscribe("bench-routing", route, (CallOffered, CallStateChanged))


def report(work: Path, calls: int, through_desk: bool) -> None:
    """Pair each caller's INVITE with the first agent's, and print the figures."""
    [caller_log] = work.glob("caller_waits_*_messages.log")
    sent = message_times(caller_log, "sent", "INVITE ")
    answered = invite_answers(caller_log)
    # each phone gets one INVITE per call: the first of the phones is the one that counts
    per_phone = [message_times(log, "received", "INVITE ")
                 for log in work.glob("agent_no_answer_*_messages.log")]
    rung = [min(times) for times in zip(*per_phone, strict=False)]
    n = min(len(sent), len(rung), len(answered))
    if n < calls:
        print(f"note: {n} of {calls} calls completed (see {work})")
    ring_ms = [(rung[i] - sent[i]) * 1e3 for i in range(n)]
    anchor_ms = [(answered[i] - sent[i]) * 1e3 for i in range(n)]
    median, p99 = statistics.median(ring_ms), percentile(ring_ms, 0.99)
    anchor = statistics.median(anchor_ms)
    path = ("through the exchange (store look-up, flow, routing, ring all over 2 phones)"
            if through_desk else "one fixed agent, no routing")
    print(f"calls: {n}, {path}")
    print(f"anchor: baresip alone, INVITE sent -> 200 OK received, median {anchor:.2f} ms")
    print(f"INVITE sent -> first agent's phone gets its INVITE: median {median:.2f} ms, "
          f"p99 {p99:.2f} ms; median/anchor {median / anchor:.1f}, p99/anchor {p99 / anchor:.1f}")
    verdict = "met" if median <= GOAL_MEDIAN_MS else "NOT met"
    print(f"goal median <= {GOAL_MEDIAN_MS:.0f} ms: {verdict}")
    record([Row(f"VoIP INVITE -> agent's phone rings ({'exchange' if through_desk else 'line'})",
                f"median <= {GOAL_MEDIAN_MS:.0f} ms", f"baresip alone {anchor:.2f} ms",
                f"median {median:.2f} ms, p99 {p99:.2f} ms", median / anchor,
                median <= GOAL_MEDIAN_MS)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--desk", action="store_true",
                        help="route through the real call desk (ring all over two phones)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    work = asyncio.run(run(args.calls, args.desk))
    try:
        report(work, args.calls, args.desk)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
