"""The intake bench's child: the daemon as `aspa run` wires it, taking in one mailbox.

Everything the product runs on this path is on: the event bus, the history
writer (one row per event), the switchboard filing every new ticket into the
work queue, the web adapter with one logged-in page following `/events` (the
live-page feed), the mail adapter with its parsing process. The clock stops
when every mail has been taken in and every subscriber has handled every
event the intake published (history committed, queue filed, page told).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

LOGIN, PASSWORD = "bench", "bench-salasana-1"
PROFILE_ENV = "ASPA_BENCH_PROFILE"  # a file: cProfile the event loop's thread into it
POLL_S = 0.02  # how often the bench looks whether the mailbox is empty yet
OVERSIZE_NOTE = "only its headers were taken in"  # the size cap filter's note (mail/filters)


def _vm_hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def write_config(root: Path, host: str, port: int, user: str, password: str,
                 cap_kb: int = 0) -> Path:
    """An aspa.toml with one mailbox and the web page on a free loopback port."""
    cap = f"size_cap_mb = {cap_kb / 1024}\n" if cap_kb else ""
    config = root / "aspa.toml"
    config.write_text(f"""data_dir = "data"
[web]
host = "127.0.0.1"
port = 0
[log]
level = "warning"
[[mail.mailboxes]]
name = "bench"
host = "{host}"
port = {port}
security = "none"
user = "{user}"
password = "{password}"
{cap}""")
    return config


class LivePage:
    """One browser page following `/events`: counts the `data:` lines it receives."""

    def __init__(self) -> None:
        self.lines = 0
        self.task: asyncio.Task[None] | None = None

    async def open(self, base: str) -> None:
        import aiohttp

        from appliance.web.frame.sessions import COOKIE_NAME

        jar = aiohttp.CookieJar(unsafe=True)  # keeps cookies for an IP-address host
        self._http = aiohttp.ClientSession(cookie_jar=jar)
        token = (await (await self._http.get(base + "api/login")).json())["csrf_token"]
        answer = await self._http.post(base + "api/login",
                                       json={"login": LOGIN, "password": PASSWORD},
                                       headers={"X-CSRF-Token": token})
        assert answer.status == 200, await answer.text()
        assert answer.cookies[COOKIE_NAME].value
        stream = await self._http.get(base + "events")
        self.task = asyncio.create_task(self._follow(stream))

    async def _follow(self, stream: object) -> None:
        async for line in stream.content:  # type: ignore[attr-defined]
            if line.startswith(b"data:"):
                self.lines += 1

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        await self._http.close()


async def run_daemon(root: Path, host: str, port: int, user: str, password: str,
                     count: int, cap_kb: int) -> dict[str, float]:
    """Start the daemon, wait for the mailbox to be taken in and the bus drained, stop."""
    from appliance.config.aspa_toml import load_config
    from appliance.mail.intake import MailIntake
    from appliance.runtime.daemon import Daemon
    from appliance.runtime.systemd_notify import SystemdNotifier
    from appliance.spine.clock import SystemClock
    from appliance.store.accounts import Accounts
    from appliance.store.startup import open_store
    from appliance.web.adapter import WebAdapter

    config = load_config(write_config(root, host, port, user, password, cap_kb))
    config.data_path.mkdir(parents=True)
    db = open_store(config.database_url)
    Accounts(db, SystemClock()).add_user("Bench", LOGIN, "admin", PASSWORD)
    db.close()
    started = time.perf_counter()
    daemon = Daemon(config, notifier=SystemdNotifier(None))
    await daemon.start()
    ready_s = time.perf_counter() - started
    adapters = daemon.supervisor.adapters
    intake = next(a for a in adapters if isinstance(a, MailIntake))
    web = next(a for a in adapters if isinstance(a, WebAdapter))
    page = LivePage()
    await page.open(web.url)
    # the mailbox thread counts what it took in after flagging it; nothing on the bus says so
    while sum(w.health.taken_in for w in intake.workers) < count:  # noqa: ASYNC110
        await asyncio.sleep(POLL_S)
    await daemon.bus.drain()
    taken_s = time.perf_counter() - started
    assert daemon.switchboard is not None and daemon.history is not None
    figures = {
        "ready_s": ready_s, "taken_s": taken_s, "open_items": daemon.switchboard.open_count,
        "history_rows": daemon.history.written, "history_batches": daemon.history.batches,
        "published": daemon.bus.published, "page_lines": page.lines,
        "parser_vm_hwm_kb": max((p.peak_rss_kb() for p in intake._parse_pools), default=0),
    }
    await page.close()
    await daemon.stop()
    return figures


def intake_child(work: str, host: str, port: str, user: str, password: str, count: str,
                 cap_kb: str, report: str) -> int:
    """Run the daemon over the mailbox once and write what it did as JSON."""
    started = time.perf_counter()
    root = Path(work)
    root.mkdir(parents=True)
    profile_to = os.environ.get(PROFILE_ENV)
    if profile_to:  # the event loop's thread only: where the bus's subscribers run
        import cProfile

        with cProfile.Profile() as profile:
            figures = asyncio.run(run_daemon(root, host, int(port), user, password, int(count),
                                                int(cap_kb)))
        profile.dump_stats(profile_to)
    else:
        figures = asyncio.run(run_daemon(root, host, int(port), user, password, int(count),
                                                int(cap_kb)))
    from appliance.store.models import Attachment, Message, Quarantine, Ticket
    from appliance.store.startup import open_store

    db = open_store(root / "data" / "aspa.db")
    figures.update(
        tickets=Ticket.select().count(), attachments=Attachment.select().count(),
        mails_in=Message.select().where((Message.channel == "email")
                                        & (Message.direction == "in")).count(),
        quarantined=Quarantine.select().count(),
        oversize=Message.select().where(Message.body_text.contains(OVERSIZE_NOTE)).count())
    db.close()
    times = os.times()
    figures.update(
        vm_hwm_kb=_vm_hwm_kb(), wall_s=time.perf_counter() - started,
        writer_cpu_s=times.user + times.system,
        parser_cpu_s=times.children_user + times.children_system)
    Path(report).write_text(json.dumps(figures))
    return 0
