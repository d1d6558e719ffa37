"""Benchmark: QoS 1 events per second from the persistent outbox to a local Mosquitto.

The anchor is a bare paho-mqtt loop publishing the same messages at QoS 1 to
the same broker in the same run (same client settings: MQTT 5, 100 in
flight) and waiting for every PUBACK. The outbox reads the rows from SQLite,
publishes them in order and marks them sent as the PUBACKs arrive; the ratio
outbox/bare is the figure. Goal: >= 0.5.

Run from the repository root: .venv/bin/python -m bench.mqtt_outbox [--messages N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from appliance.mqtt.connection import MAX_INFLIGHT, BrokerAddress, Connection
from appliance.mqtt.outbox import Outbox
from appliance.mqtt.outbox_rows import OutgoingMessage, add_messages, count_unsent
from appliance.spine.clock import SystemClock
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker
from bench.results import Row, record

TOPIC = "aspa/bench/event/call-offered"
GOAL = 0.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_mosquitto(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A throw-away Mosquitto on a free loopback port, ready when it accepts connections."""
    program = shutil.which("mosquitto", path="/usr/sbin:/usr/bin:/sbin")
    if program is None:
        raise SystemExit("mosquitto not found: apt-get install -y mosquitto")
    port = free_port()
    config = directory / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    process = subprocess.Popen([program, "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise SystemExit("mosquitto did not start")


def payloads(count: int) -> list[str]:
    """Event payloads shaped like the box's call-offered events."""
    return [json.dumps({"event_id": uuid.uuid4().hex, "kind": "call-offered", "box": "bench",
                        "at": "2026-03-02T10:00:00+00:00", "call_id": f"c{n}", "line": "gsm0",
                        "number_status": "valid", "customer_id": None},
                       separators=(",", ":"), sort_keys=True) for n in range(count)]


def bare_paho(port: int, messages: list[str]) -> float:
    """Seconds for a bare paho loop to publish every message at QoS 1 and get every PUBACK."""
    done = threading.Event()
    acked = 0
    connected = threading.Event()

    def on_publish(client: mqtt.Client, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        nonlocal acked
        acked += 1
        if acked == len(messages):
            done.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bare-{uuid.uuid4().hex[:8]}",
                         protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(MAX_INFLIGHT)
    client.on_publish = on_publish
    client.on_connect = lambda *args: connected.set()
    client.connect("127.0.0.1", port, 30)
    client.loop_start()
    connected.wait(10)
    start = time.perf_counter()
    for payload in messages:
        client.publish(TOPIC, payload, qos=1)
    if not done.wait(120):
        raise SystemExit("bare paho: not every PUBACK arrived")
    elapsed = time.perf_counter() - start
    client.disconnect()
    client.loop_stop()
    return elapsed


async def from_outbox(port: int, messages: list[str], directory: Path) -> float:
    """Seconds for the outbox to publish stored rows and mark every one sent."""
    db = open_store(str(directory / f"bench-{uuid.uuid4().hex[:8]}.db"))
    db.close()
    store = StoreWorker(db)
    try:
        clock = SystemClock()
        rows = [OutgoingMessage(TOPIC, p) for p in messages]
        await store.call(add_messages, rows, clock.now(), len(rows))
        outbox = Outbox(store, clock, cap=len(rows) + 1)
        await outbox.load()
        connection = Connection(BrokerAddress("127.0.0.1", port, f"box-{uuid.uuid4().hex[:8]}"),
                                "aspa/bench/status", lambda topic, payload: None)
        await connection.open()
        start = time.perf_counter()
        sender = asyncio.create_task(outbox.send(connection))
        await outbox.wait_empty()
        elapsed = time.perf_counter() - start
        sender.cancel()
        await connection.close()
        assert await store.call(count_unsent) == 0
        return elapsed
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    messages = payloads(args.messages)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        process, port = start_mosquitto(directory)
        try:
            bare, outbox = [], []
            for _ in range(args.rounds):  # interleaved, so drift hits both alike
                bare.append(args.messages / bare_paho(port, messages))
                outbox.append(args.messages / asyncio.run(from_outbox(port, messages, directory)))
        finally:
            process.terminate()
            process.wait(10)
    bare_rate, outbox_rate = statistics.median(bare), statistics.median(outbox)
    ratio = outbox_rate / bare_rate
    print(f"messages per round: {args.messages}, rounds: {args.rounds} (medians)")
    print(f"anchor: bare paho QoS 1 loop   {bare_rate:10.0f} msg/s")
    print(f"outbox -> Mosquitto, QoS 1     {outbox_rate:10.0f} msg/s")
    verdict = "met" if ratio >= GOAL else "NOT met"
    print(f"ratio outbox/bare: {ratio:.2f} (goal >= {GOAL}): {verdict}")
    record([Row("MQTT outbox -> Mosquitto, QoS 1", f">= {GOAL}x bare paho",
                f"bare paho {bare_rate:,.0f} msg/s", f"{outbox_rate:,.0f} msg/s", ratio,
                ratio >= GOAL)])


if __name__ == "__main__":
    main()
