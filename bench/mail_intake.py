"""Mail intake against a local Dovecot: the daemon (to tickets) vs mbsync (to a Maildir).

    .venv/bin/python -m bench.mail_intake [--count 10000]      (ASPA_BENCH_QUICK=1: 1,000)

One run: generate the mail, write it into a throwaway Dovecot's Maildir on loopback
(started as the test suite starts it), then time on the same mailbox
  1. a raw `UID FETCH n:m BODY.PEEK[]` in batches of 500 (the floor: bytes only),
  2. mbsync copying the folder to a Maildir, with its default fsync (durable, as Aspa's
     store is: the anchor of the goal) and again with `FSync no` (a stricter second anchor),
  3. the daemon as `aspa run` wires it (bench/daemon_intake.py: bus, history, work queue,
     web page with a live `/events` client, the mail adapter and its parsing process), in
     its own process, from an empty store until every mail is a ticket and every event
     has been handled,
and print the ratios and the daemon's peak RSS. Goal: <= 0.8x mbsync, RSS <= 80 MB.
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

from bench.daemon_intake import intake_child
from bench.mail_corpus import (
    BAD_SIZE_CAP_KB,
    MALFORMED_SHARE,
    OVERSIZE_SHARE,
    generate,
)
from bench.results import QUICK_ENV, Row, quick, record
from bench.shipped_bytecode import compile_package, shipped_env

FETCH_BATCH = 500
FULL_COUNT, QUICK_COUNT = 10_000, 1_000
GOAL_RATIO = 0.8
GOAL_RSS_MB = 80.0


def default_count() -> int:
    """10,000 mails, or 1,000 for a quick run."""
    return QUICK_COUNT if quick() else FULL_COUNT


def fill_maildir(maildir: str, count: str, uid: str, gid: str, bad: str = "") -> int:
    """The filler child: write the generated mail straight into the account's Maildir.

    Dovecot takes files dropped into cur/ as new mail (its first SELECT indexes them,
    which the warm-up fetch pays for everyone). Run in a child so the parent's memory
    (and so every later child's RSS at fork) stays small.
    """
    cur = Path(maildir) / "cur"
    total = 0
    for i, raw in enumerate(generate(int(count), bad=bool(bad))):
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


def run_aspa(work: Path, host: str, port: int, user: str, password: str,
             count: int, cap_kb: int) -> tuple[float, int, dict[str, float]]:
    """The daemon's intake in a child process; returns (wall seconds, peak RSS KB, its report)."""
    report = work / "aspa-report.json"
    argv = [sys.executable, "-m", "bench.mail_intake", "--intake", str(work / "aspa"), host,
            str(port), user, password, str(count), str(cap_kb), str(report)]
    compile_package()  # as the image does: the daemon starts from bytecode
    seconds, rss = _timed(argv, shipped_env())
    return seconds, rss, json.loads(report.read_text())


def _timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run a program; (seconds, its peak RSS in KB).

    posix_spawn, not fork: a forked child's ru_maxrss would count the parent's pages.
    """
    started = time.perf_counter()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        pid = os.posix_spawn(argv[0], argv, env or dict(os.environ),
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    finally:
        os.close(devnull)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[0]} failed with status {status}")
    return seconds, usage.ru_maxrss


def main() -> int:
    """Run the three contenders on one generated mailbox and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=default_count(),
                        help=f"mails (default 10,000; {QUICK_ENV}=1: 1,000)")
    parser.add_argument("--bad", action="store_true",
                        help=f"bad input: {OVERSIZE_SHARE:.0%} over a {BAD_SIZE_CAP_KB} KB size "
                             f"cap, {MALFORMED_SHARE:.0%} malformed")
    parser.add_argument("--intake", nargs=8, help=argparse.SUPPRESS)
    parser.add_argument("--fill", nargs="+", help=argparse.SUPPRESS)
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
             str(args.count), str(server.mail_uid), str(server.mail_gid),
             *(["bad"] if args.bad else [])],
            check=True, capture_output=True, text=True)
        size_mb = int(filled.stdout.strip()) / 1e6
        fill_s = time.perf_counter() - started
        raw_fetch(*login)  # warm Dovecot's index and the page cache for everyone alike
        raw_s, raw_bytes = raw_fetch(*login)
        mbsync_s, mbsync_rss = run_mbsync(work, *login)
        nofsync_s, nofsync_rss = run_mbsync(work, *login, fsync=False)
        cap_kb = BAD_SIZE_CAP_KB if args.bad else 0
        aspa_s, aspa_rss, report = run_aspa(work, *login, args.count, cap_kb)
    finally:
        server.stop()
        shutil.rmtree(dovecot_dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    # Both of Aspa's processes count: the daemon's peak plus the parsing process's peak.
    daemon_rss_mb = (report.get("vm_hwm_kb") or aspa_rss) / 1024
    parser_rss_mb = report.get("parser_vm_hwm_kb", 0) / 1024
    aspa_rss_mb = daemon_rss_mb + parser_rss_mb
    print(f"{args.count} mails, {size_mb:.0f} MB (generated into the Maildir in {fill_s:.1f} s)")
    print(f"raw UID FETCH, batches of {FETCH_BATCH}: {raw_s:.2f} s ({raw_bytes / 1e6:.0f} MB)")
    print(f"mbsync to Maildir (default FSync): {mbsync_s:.2f} s, peak RSS "
          f"{mbsync_rss / 1024:.0f} MB")
    print(f"mbsync to Maildir (FSync no):      {nofsync_s:.2f} s, peak RSS "
          f"{nofsync_rss / 1024:.0f} MB")
    print(f"aspa daemon intake to tickets:     {aspa_s:.2f} s wall (READY after "
          f"{report['ready_s']:.2f} s; mailbox taken in and bus drained "
          f"{report['taken_s']:.2f} s after start), peak RSS {aspa_rss_mb:.0f} MB "
          f"({daemon_rss_mb:.0f} MB daemon + {parser_rss_mb:.0f} MB parser)")
    print(f"  {report['tickets']} tickets, {report['attachments']} attachments, "
          f"{report['open_items']} open work items, {report['published']} events, "
          f"{report['history_rows']} history rows in {report['history_batches']} transactions, "
          f"{report['page_lines']} live-page lines")
    accounted = report["mails_in"] + report["quarantined"]
    whole = accounted == args.count
    print(f"  every mail a message or in quarantine: {report['mails_in']} messages in + "
          f"{report['quarantined']} quarantined = {accounted} of {args.count} "
          f"({'all' if whole else 'NOT all'}); {report['oversize']} kept as headers and a note")
    daemon_cpu, parser_cpu = report["writer_cpu_s"], report["parser_cpu_s"]
    per_10k = (daemon_cpu + parser_cpu) * 10_000 / max(1, args.count)
    print(f"aspa CPU: {daemon_cpu:.2f} s daemon + {parser_cpu:.2f} s parser = "
          f"{daemon_cpu + parser_cpu:.2f} s ({per_10k:.2f} s per 10,000 mails; "
          f"start-up included)")
    ratio = aspa_s / mbsync_s
    print(f"ratio aspa/mbsync: {ratio:.2f}x (goal <= {GOAL_RATIO}x; both durable)")
    print(f"ratio aspa/mbsync without fsync: {aspa_s / nofsync_s:.2f}x (stricter: mbsync "
          f"not durable, aspa still is)")
    print(f"ratio aspa/raw fetch: {aspa_s / raw_s:.1f}x")
    fast = ratio <= GOAL_RATIO and whole
    small = aspa_rss_mb <= GOAL_RSS_MB
    print(f"time goal {'met' if fast else 'NOT met'} (<= {GOAL_RATIO}x mbsync with fsync); "
          f"memory goal {'met' if small else 'NOT met'} (<= {GOAL_RSS_MB:.0f} MB peak RSS, "
          f"both processes)")
    record([
        Row(f"intake of {args.count:,} {'bad-input ' if args.bad else ''}mails through the "
            "daemon, none lost", f"<= {GOAL_RATIO}x mbsync",
            f"mbsync (fsync) {mbsync_s:.2f} s", f"{aspa_s:.2f} s", ratio, fast),
        Row(f"intake peak RSS, daemon + parser ({args.count:,} mails)",
            f"<= {GOAL_RSS_MB:.0f} MB", "", f"{aspa_rss_mb:.0f} MB",
            aspa_rss_mb / GOAL_RSS_MB, small),
    ])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
