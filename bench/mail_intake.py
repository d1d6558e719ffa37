"""Mail intake against a local Dovecot: Aspa (to tickets) vs mbsync (to a Maildir) vs raw FETCH.

    .venv/bin/python -m bench.mail_intake [--count 10000] [--in-thread]

One run: generate the mail, APPEND it to a throwaway Dovecot on loopback
(started as the test suite starts it), then time on the same mailbox
  1. a raw `UID FETCH n:m BODY.PEEK[]` in batches of 500 (the floor: bytes only),
  2. mbsync copying the folder to a Maildir, with its default fsync (durable, as Aspa's
     store is: the anchor of the goal) and again with `FSync no` (a stricter second anchor),
  3. Aspa's intake, in its own process (and its parsing process), from an empty store to
     one ticket per mail,
and print the ratios and the intake's peak RSS. Goal: Aspa <= 1.0x mbsync, RSS <= 80 MB.
"""

from __future__ import annotations

import argparse
import imaplib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.mail_corpus import generate

FETCH_BATCH = 500
GOAL_RATIO = 1.0
GOAL_RSS_MB = 80.0


def fill_maildir(maildir: str, count: str, uid: str, gid: str) -> int:
    """The filler child: write the generated mail straight into the account's Maildir.

    Dovecot takes files dropped into cur/ as new mail (its first SELECT indexes them,
    which the warm-up fetch pays for everyone). Run in a child so the parent's memory
    (and so every later child's RSS at fork) stays small.
    """
    cur = Path(maildir) / "cur"
    total = 0
    for i, raw in enumerate(generate(int(count))):
        # Maildir names start with a time stamp; Dovecot gives UIDs in name order here.
        path = cur / f"{1_700_000_000 + i}.M{i}P1.bench,S={len(raw)}:2,"
        path.write_bytes(raw)
        os.chown(path, int(uid), int(gid))
        total += len(raw)
    print(total)
    return 0


def raw_fetch(host: str, port: int, user: str, password: str) -> tuple[float, int]:
    """UID FETCH of the bytes only, in batches; returns (seconds, bytes)."""
    started = time.perf_counter()
    imap = imaplib.IMAP4(host, port)
    imap.login(user, password)
    imap.select("INBOX", readonly=True)
    _, data = imap.uid("SEARCH", "ALL")
    uids = data[0].split()
    total = 0
    for i in range(0, len(uids), FETCH_BATCH):
        chunk = uids[i:i + FETCH_BATCH]
        span = f"{chunk[0].decode()}:{chunk[-1].decode()}"
        _, data = imap.uid("FETCH", span, "(BODY.PEEK[])")
        total += sum(len(part[1]) for part in data if isinstance(part, tuple))
    imap.logout()
    return time.perf_counter() - started, total


def run_mbsync(work: Path, host: str, port: int, user: str, password: str, *,
               fsync: bool = True) -> tuple[float, int]:
    """mbsync the folder into a new Maildir; returns (seconds, peak RSS in KB).

    fsync=True leaves mbsync's default (`FSync yes`): every mail it writes is on disk
    before it records it, the same durability as Aspa's `synchronous=FULL` commits.
    """
    maildir = work / ("mbsync-maildir" if fsync else "mbsync-maildir-nofsync")
    maildir.mkdir()
    rc = work / ("mbsyncrc" if fsync else "mbsyncrc-nofsync")
    # FSync is a global option: it must come before the first section (isync 1.4).
    rc.write_text(("" if fsync else "FSync no\n\n") + f"""IMAPAccount bench
Host {host}
Port {port}
User {user}
Pass {password}
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account bench

MaildirStore local
Path {maildir}/
Inbox {maildir}/INBOX

Channel bench
Far :remote:
Near :local:
Patterns INBOX
Create Near
Sync Pull
SyncState *
""")
    return _timed([shutil.which("mbsync") or "mbsync", "-q", "-c", str(rc), "-a"])


def run_aspa(work: Path, host: str, port: int, user: str,
             password: str) -> tuple[float, int, dict[str, float]]:
    """Aspa's intake in a child process; returns (wall seconds, peak RSS KB, child's report)."""
    report = work / "aspa-report.json"
    argv = [sys.executable, "-m", "bench.mail_intake", "--intake", str(work / "aspa"), host,
            str(port), user, password, str(report)]
    seconds, rss = _timed(argv)
    return seconds, rss, json.loads(report.read_text())


def _timed(argv: list[str]) -> tuple[float, int]:
    """Run a program; (seconds, its peak RSS in KB).

    posix_spawn, not fork: a forked child's ru_maxrss would count the parent's pages.
    """
    started = time.perf_counter()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        pid = os.posix_spawn(argv[0], argv, dict(os.environ),
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    finally:
        os.close(devnull)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[0]} failed with status {status}")
    return seconds, usage.ru_maxrss


def _vm_hwm_kb() -> int:
    """This process's own peak RSS (VmHWM counts from exec, unlike ru_maxrss after a fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def intake_child(data_dir: str, host: str, port: str, user: str, password: str,
                 report: str) -> int:
    """The child: open a new store, take the mailbox in once, write what it did."""
    started = time.perf_counter()
    from appliance.config.sections.mail import MailboxSettings
    from appliance.mail.imap_client import ImapSession
    from appliance.mail.intake_context import IntakeContext
    from appliance.mail.mailbox_worker import MailboxWorker
    from appliance.mail.parse_pool import ParsePool
    from appliance.mail.processing import MailProcessor
    from appliance.store.models import Attachment, Ticket
    from appliance.store.startup import open_store

    root = Path(data_dir)
    root.mkdir(parents=True)
    db = open_store(root / "aspa.db")
    imported = time.perf_counter()
    start_hwm_kb = _vm_hwm_kb()
    settings = MailboxSettings(name="bench", host=host, port=int(port), security="none",
                               user=user, password=password)
    ctx = IntakeContext(root / "attachments")
    # As the daemon runs it (MailIntake's default): parsing in a second process while the
    # mailbox thread writes; with --in-thread, all in the mailbox thread.
    pool = None if os.environ.get("ASPA_BENCH_IN_THREAD") else ParsePool(ctx)
    worker = MailboxWorker(settings, MailProcessor(ctx), lambda event: None, parse_pool=pool)
    session = ImapSession(settings, password)
    session.connect()
    handled = worker.sync(session)
    session.close()
    finished = time.perf_counter()
    parser_hwm_kb = pool.peak_rss_kb() if pool is not None else 0
    if pool is not None:
        pool.close()  # waits for the parsing process: its CPU time counts as our child's
    times = os.times()
    Path(report).write_text(json.dumps({
        "handled": handled, "tickets": Ticket.select().count(), "vm_hwm_kb": _vm_hwm_kb(),
        "parser_vm_hwm_kb": parser_hwm_kb, "start_vm_hwm_kb": start_hwm_kb,
        "attachments": Attachment.select().count(),
        "startup_s": imported - started, "intake_s": finished - imported,
        "writer_cpu_s": times.user + times.system,
        "parser_cpu_s": times.children_user + times.children_system,
    }))
    db.close()
    return 0


def main() -> int:
    """Run the three contenders on one generated mailbox and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--in-thread", action="store_true",
                        help="parse in the intake thread (no second process)")
    parser.add_argument("--intake", nargs=6, help=argparse.SUPPRESS)
    parser.add_argument("--fill", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.intake:
        return intake_child(*args.intake)
    if args.fill:
        return fill_maildir(*args.fill)

    from tests.peers.dovecot import DovecotServer

    work = Path(tempfile.mkdtemp(prefix="aspa-bench-"))
    dovecot_dir = Path(tempfile.mkdtemp(prefix="aspa-dc-"))
    server = DovecotServer(dovecot_dir)
    try:
        server.start()
        account = server.add_account()
        login = (account.host, account.port, account.user, account.password)
        started = time.perf_counter()
        filled = subprocess.run(
            [sys.executable, "-m", "bench.mail_intake", "--fill", str(account.maildir),
             str(args.count), str(server.mail_uid), str(server.mail_gid)],
            check=True, capture_output=True, text=True)
        size_mb = int(filled.stdout.strip()) / 1e6
        fill_s = time.perf_counter() - started
        raw_fetch(*login)  # warm Dovecot's index and the page cache for everyone alike
        raw_s, raw_bytes = raw_fetch(*login)
        mbsync_s, mbsync_rss = run_mbsync(work, *login)
        nofsync_s, nofsync_rss = run_mbsync(work, *login, fsync=False)
        if args.in_thread:
            os.environ["ASPA_BENCH_IN_THREAD"] = "1"
        aspa_s, aspa_rss, report = run_aspa(work, *login)
    finally:
        server.stop()
        shutil.rmtree(dovecot_dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    # Both of Aspa's processes count: the writer's peak plus the parsing process's peak.
    writer_rss_mb = (report.get("vm_hwm_kb") or aspa_rss) / 1024
    parser_rss_mb = report.get("parser_vm_hwm_kb", 0) / 1024
    aspa_rss_mb = writer_rss_mb + parser_rss_mb
    start_rss_mb = report.get("start_vm_hwm_kb", 0) / 1024
    print(f"{args.count} mails, {size_mb:.0f} MB (generated into the Maildir in {fill_s:.1f} s)")
    print(f"raw UID FETCH, batches of {FETCH_BATCH}: {raw_s:.2f} s ({raw_bytes / 1e6:.0f} MB)")
    print(f"mbsync to Maildir (default FSync): {mbsync_s:.2f} s, peak RSS "
          f"{mbsync_rss / 1024:.0f} MB")
    print(f"mbsync to Maildir (FSync no):      {nofsync_s:.2f} s, peak RSS "
          f"{nofsync_rss / 1024:.0f} MB")
    print(f"aspa intake to tickets:            {aspa_s:.2f} s wall "
          f"({report['startup_s']:.2f} s start-up, {report['intake_s']:.2f} s intake), "
          f"peak RSS {aspa_rss_mb:.0f} MB ({writer_rss_mb:.0f} MB writer, of which "
          f"{start_rss_mb:.0f} MB before the first mail, + {parser_rss_mb:.0f} MB parser); "
          f"{report['tickets']} tickets, "
          f"{report['attachments']} attachments")
    writer_cpu, parser_cpu = report["writer_cpu_s"], report["parser_cpu_s"]
    per_10k = (writer_cpu + parser_cpu) * 10_000 / max(1, args.count)
    print(f"aspa CPU: {writer_cpu:.2f} s writer + {parser_cpu:.2f} s parser = "
          f"{writer_cpu + parser_cpu:.2f} s ({per_10k:.2f} s per 10,000 mails; "
          f"start-up included)")
    print(f"ratio aspa/mbsync: {aspa_s / mbsync_s:.2f}x (goal <= {GOAL_RATIO}x; both durable)")
    print(f"ratio aspa/mbsync without fsync: {aspa_s / nofsync_s:.2f}x (stricter: mbsync "
          f"not durable, aspa still is)")
    print(f"ratio aspa/raw fetch: {aspa_s / raw_s:.1f}x")
    fast = aspa_s / mbsync_s <= GOAL_RATIO
    small = aspa_rss_mb <= GOAL_RSS_MB
    print(f"time goal {'met' if fast else 'NOT met'} (<= {GOAL_RATIO}x mbsync with fsync); "
          f"memory goal {'met' if small else 'NOT met'} (<= {GOAL_RSS_MB:.0f} MB peak RSS, "
          f"both processes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
