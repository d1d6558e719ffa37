"""Commands run beside a running box change what its pages and figures show, without a restart.

The daemon runs in this process with its web page on a free port; each command
runs as its own `aspa` process against the same aspa.toml, as an installer types
it. One poll of the change feed later (every 0.5 s in the box), the queue, the
figures and an open live page have it.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession

from appliance.config.aspa_toml import load_config
from appliance.runtime.daemon import Daemon
from appliance.runtime.systemd_notify import SystemdNotifier
from appliance.web.adapter import WebAdapter
from tests.daemon_box import Box, logged_in_session, make_box, seed

WAIT_S = 10.0  # generous: a busy machine may be slow to start a command
MAIL = (b"From: Maija Meikalainen <maija@example.fi>\r\nTo: tuki@example.fi\r\n"
        b"Subject: Lasku on vaarin\r\nMessage-ID: <cli-import-1@example.fi>\r\n"
        b"Date: Mon, 07 Dec 2026 09:00:00 +0200\r\n\r\nLaskussa on virhe.\r\n")


@dataclass
class Running:
    box: Box
    daemon: Daemon
    url: str
    web: ClientSession
    stream: ClientResponse

    async def aspa(self, *args: str, stdin: bytes = b"") -> str:
        """Run one `aspa` command against the box's aspa.toml; its output."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "appliance", "--config", str(self.box.config_path), *args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        async with asyncio.timeout(60):
            out, err = await process.communicate(stdin)
        assert process.returncode == 0, err.decode()
        return out.decode()

    async def one_poll(self) -> None:
        """What the box's change follower does every half second."""
        assert self.daemon.changes is not None
        await self.daemon.changes.catch_up()
        await self.daemon.bus.drain()

    async def live(self, kind: str) -> dict[str, Any]:
        """The next event of this kind the open page is told of."""
        async with asyncio.timeout(WAIT_S):
            while True:
                line = (await self.stream.content.readline()).decode().strip()
                if line.startswith("data: "):
                    data: dict[str, Any] = json.loads(line[6:])
                    if data.get("kind") == kind:
                        return data

    async def json(self, path: str) -> Any:
        return await (await self.web.get(path)).json()


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    box = make_box(tmp_path)
    seed(box)
    daemon = Daemon(load_config(box.config_path), config_path=box.config_path,
                    notifier=SystemdNotifier(None))
    await daemon.start()
    web = next(a for a in daemon.supervisor.adapters if isinstance(a, WebAdapter))
    url = web.url.rstrip("/")
    session = await logged_in_session(url)
    stream = await session.get("/events")
    try:
        yield Running(box, daemon, url, session, stream)
    finally:
        stream.close()
        await session.close()
        await daemon.stop()


async def test_mail_imported_beside_the_box_is_queued_counted_and_shown_live(
        running: Running, tmp_path: Path) -> None:
    before = await running.json("/api/stats")
    mail = tmp_path / "lasku.eml"
    mail.write_bytes(MAIL)
    said = await running.aspa("mail", "import", str(mail))
    assert "1 new tickets" in said
    await running.one_poll()
    queue = await running.json("/api/queue")
    subjects = [row["subject"] for row in queue["items"]]
    assert "Lasku on vaarin" in subjects
    stats = await running.json("/api/stats")
    assert stats["open_work_items"] == before["open_work_items"] + 1
    created = await running.live("ticket.created")
    assert created["number"] == next(r["number"] for r in queue["items"]
                                     if r["subject"] == "Lasku on vaarin")


async def test_the_box_follows_the_feed_by_itself(running: Running, tmp_path: Path) -> None:
    mail = tmp_path / "lasku.eml"
    mail.write_bytes(MAIL)
    await running.aspa("mail", "import", str(mail))
    await running.live("ticket.created")  # no help from the test: the box's own poll


async def test_an_agent_added_beside_the_box_can_take_work_at_once(running: Running) -> None:
    await running.aspa("user", "add", "Pekka Agent", "--login", "pekka", "--password-stdin",
                       stdin=b"pekka-salasana-1\n")
    await running.one_poll()
    roster = await running.live("agent.roster")
    pekka = await logged_in_session(running.url, "pekka-salasana-1", login="pekka")
    try:
        token = await _token(pekka)
        done = await pekka.post("/api/presence", json={"presence": "available"},
                                headers={"X-CSRF-Token": token})
        assert done.status == 200, await done.text()  # the switchboard knows Pekka now
        taken = await pekka.post("/api/queue/take", headers={"X-CSRF-Token": token})
        assert (await taken.json())["number"] is not None
    finally:
        await pekka.close()
    assert roster["agent_id"] > 1


async def test_an_erasure_and_a_retention_run_beside_the_box_are_heard(
        running: Running) -> None:
    customer = await _a_customer(running)
    await running.aspa("customer", "erase", str(customer), "--yes")
    await running.one_poll()
    erased = await running.live("customer.erased")
    assert erased["customer_id"] == customer
    await running.aspa("retention", "run")
    await running.one_poll()
    await running.live("retention.applied")


async def _a_customer(running: Running) -> int:
    """The customer behind a mail taken in beside the box."""
    mail = running.box.root / "liisa.eml"
    mail.write_bytes(MAIL.replace(b"maija@", b"liisa@").replace(b"cli-import-1", b"cli-2"))
    await running.aspa("mail", "import", str(mail))
    await running.one_poll()
    rows = (await running.json("/api/queue"))["items"]
    return int(next(r["customer_id"] for r in rows if r["customer_id"] is not None))


async def _token(session: ClientSession) -> str:
    page = await (await session.get("/")).text()
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]
