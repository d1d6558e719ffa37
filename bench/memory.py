"""RSS of `aspa run` idle with 100,000 tickets in the store, against a bare-imports anchor.

Builds a data directory (bulk insert: executemany in large transactions),
starts `aspa run` on it as a subprocess, waits for READY on its own
NOTIFY_SOCKET, lets it idle, and reads VmRSS/VmHWM from /proc. The anchor is
a bare `python -c "import asyncio, aiohttp, peewee"` process idling in the
same run. Goal: RSS <= 60 MB.

    .venv/bin/python -m bench.memory [--tickets 100000] [--open 2000] [--idle 3]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

GOAL_MB = 60.0
BATCH_ROWS = 20_000
CUSTOMERS = 10_000
AGENTS = 8
READY_TIMEOUT_S = 120.0
ANCHOR_CODE = (
    "import asyncio, aiohttp, peewee, sys\n"
    "print('ready', flush=True)\n"
    "asyncio.run(asyncio.sleep(3600))\n"
)


def _stamp(moment: datetime) -> str:
    # peewee stores a naive UTC datetime as its ISO text with a space (DateTimeField)
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def build_store(data_dir: Path, tickets: int, open_tickets: int) -> float:
    """Schema by the store's own code, rows by executemany; returns seconds taken."""
    from appliance.store.startup import open_store

    started = time.perf_counter()
    open_store(data_dir / "aspa.db").close()
    rng = random.Random(1)
    now = datetime.now(UTC)
    with sqlite3.connect(data_dir / "aspa.db") as db:
        db.execute("PRAGMA synchronous = OFF")  # building a fixture, not serving
        db.executemany(
            "INSERT INTO agent (name, login, role, password_changed_at, active, created_at) "
            "VALUES (?, ?, 'agent', ?, 1, ?)",
            [(f"Agent {i}", f"agent{i}", _stamp(now), _stamp(now)) for i in range(AGENTS)],
        )
        db.executemany(
            "INSERT INTO customer (name, vip, notes, created_at) VALUES (?, ?, '', ?)",
            [(f"Customer {i}", int(i % 50 == 0), _stamp(now)) for i in range(CUSTOMERS)],
        )
        statuses = ["new", "open"]
        rows = []
        for i in range(tickets):
            created = now - timedelta(minutes=(tickets - i) * 5)
            if i >= tickets - open_tickets:
                status = statuses[i % 2]
                resolved = None
            else:
                status = "closed" if i % 3 else "resolved"
                resolved = _stamp(created + timedelta(hours=rng.randint(1, 48)))
            rows.append((
                1001 + i, rng.choice(("email", "email", "sms", "callback")),
                f"Subject of ticket {i} about something a customer needs", status,
                rng.choice(("low", "normal", "normal", "high", "urgent")),
                rng.randint(1, CUSTOMERS), _stamp(created), _stamp(created),
                _stamp(created + timedelta(hours=4)), _stamp(created + timedelta(days=2)),
                resolved,
            ))
            if len(rows) == BATCH_ROWS:
                _insert_tickets(db, rows)
                rows = []
        _insert_tickets(db, rows)
    return time.perf_counter() - started


def _insert_tickets(db: sqlite3.Connection, rows: Sequence[tuple[object, ...]]) -> None:
    with db:
        db.executemany(
            "INSERT INTO ticket (number, channel, subject, status, priority, customer_id, "
            "created_at, updated_at, first_response_due, resolution_due, resolved_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def measure_aspa(root: Path, idle_s: float) -> tuple[float, float, float]:
    """Start `aspa run`, wait for READY, idle, read memory; returns (rss, hwm, start seconds)."""
    config = root / "aspa.toml"
    config.write_text('data_dir = "data"\n[web]\nport = 0\n[log]\nlevel = "warning"\n')
    notify_path = root / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(notify_path))
        notify.settimeout(READY_TIMEOUT_S)
        env = {**os.environ, "NOTIFY_SOCKET": str(notify_path)}
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "appliance", "--config", str(config), "run"], env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            while b"READY=1" not in notify.recv(4096):
                pass
            start_s = time.perf_counter() - started
            time.sleep(idle_s)
            rss, hwm = memory_mb(proc.pid)
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=60)
            if proc.returncode != 0:
                raise SystemExit(f"aspa run exited {proc.returncode}: {stderr.decode()}")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return rss, hwm, start_s


def measure_anchor(idle_s: float) -> float:
    """RSS of a bare process that imported asyncio, aiohttp and peewee, idling."""
    proc = subprocess.Popen([sys.executable, "-c", ANCHOR_CODE], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        time.sleep(idle_s)
        return memory_mb(proc.pid)[0]
    finally:
        proc.kill()
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the store")
    parser.add_argument("--open", type=int, default=2_000, dest="open_tickets",
                        help="of which new/open (the rest resolved or closed)")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds idle before reading")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aspa-bench-") as tmp:
        root = Path(tmp)
        (root / "data").mkdir()
        build_s = build_store(root / "data", args.tickets, args.open_tickets)
        size_mb = (root / "data" / "aspa.db").stat().st_size / 2**20
        print(f"store: {args.tickets:,} tickets ({args.open_tickets:,} open), "
              f"{size_mb:.1f} MB, built in {build_s:.1f} s")
        rss, hwm, start_s = measure_aspa(root, args.idle)
    anchor = measure_anchor(args.idle)
    print(f"aspa run: READY after {start_s:.2f} s; idle {args.idle:g} s: "
          f"VmRSS {rss:.1f} MB, VmHWM {hwm:.1f} MB")
    print(f"anchor (python + asyncio + aiohttp + peewee imported, idle): VmRSS {anchor:.1f} MB")
    print(f"ratio to goal: {rss / GOAL_MB:.2f} (RSS / {GOAL_MB:g} MB)")
    print(f"ratio to anchor: {rss / anchor:.2f} "
          f"(aspa costs {rss - anchor:.1f} MB over bare imports)")
    print(f"goal RSS <= {GOAL_MB:g} MB: {'met' if rss <= GOAL_MB else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
