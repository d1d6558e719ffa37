"""Kill an intake process at random points until it finishes; then count what the store holds."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.peers.dovecot import ImapAccount

RUN_TIMEOUT_S = 120.0
POLL_S = 0.002  # the kill lands within a couple of milliseconds of the chosen count
MAX_KILL_JITTER_S = 0.03


@dataclass
class CrashResult:
    """What the store holds after the killed runs and one run to the end."""

    kills: int
    messages: int
    distinct_message_ids: int
    tickets: int
    last_uid: int


def append_many(account: ImapAccount, raws: list[bytes]) -> None:
    """APPEND every mail over one connection (one per mail would dominate the test's time)."""
    imap = account.connect()
    try:
        for raw in raws:
            status, data = imap.append("INBOX", None, None, raw)
            if status != "OK":
                raise RuntimeError(f"APPEND failed: {data!r}")
    finally:
        imap.logout()


def _count(db_path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1.0) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM message").fetchone()[0])
    except sqlite3.Error:
        return 0


def run_with_kills(account: ImapAccount, db_path: Path, attachments: Path, total: int,
                   kills: int, seed: int, *, parse_process: bool = False) -> CrashResult:
    """SIGKILL the intake `kills` times at random progress points, then let it finish."""
    rng = random.Random(seed)
    argv = [sys.executable, "-m", "tests.mail.intake_runner", str(db_path), str(attachments),
            account.host, str(account.port), account.user, account.password,
            *(["pool"] if parse_process else [])]
    done_kills = 0
    for _ in range(kills):
        target = min(total - 1, _count(db_path) + rng.randint(1, max(2, total // kills)))
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while child.poll() is None and _count(db_path) < target and time.monotonic() < deadline:
            time.sleep(POLL_S)
        if child.poll() is None:
            # Not a wait for anything: a random extra delay moves the kill off the commit
            # boundary, into a transaction, a FETCH or the flagging.
            time.sleep(rng.uniform(0.0, MAX_KILL_JITTER_S))
            child.kill()
            done_kills += 1
        child.wait()
    final = subprocess.run(argv, capture_output=True, timeout=RUN_TIMEOUT_S)
    if final.returncode != 0:
        raise RuntimeError(f"final intake run failed: {final.stderr.decode(errors='replace')}")
    with sqlite3.connect(db_path) as conn:
        messages, distinct = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT message_id) FROM message").fetchone()
        tickets = conn.execute("SELECT COUNT(*) FROM ticket").fetchone()[0]
        last_uid = conn.execute("SELECT last_uid FROM mailbox_state").fetchone()[0]
    return CrashResult(done_kills, messages, distinct, tickets, last_uid)
