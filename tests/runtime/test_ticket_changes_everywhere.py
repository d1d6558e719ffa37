"""A priority raised or a merge made on the page: the queue order, MQTT and open pages follow."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse

from appliance.config.aspa_toml import load_config
from appliance.runtime.daemon import Daemon
from appliance.runtime.systemd_notify import SystemdNotifier
from appliance.web.adapter import WebAdapter
from tests.daemon_box import OPEN_SUBJECTS, logged_in_session, make_box, seed
from tests.mqtt.conftest import receive_until
from tests.peers.mqtt_probe import MqttProbe

WAIT_S = 10.0


async def _live(stream: ClientResponse, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(WAIT_S):
        while True:
            line = (await stream.content.readline()).decode().strip()
            if line.startswith("data: "):
                data: dict[str, Any] = json.loads(line[6:])
                if data.get("kind") == kind:
                    return data


async def test_priority_and_merge_reach_the_queue_mqtt_and_open_pages(
        tmp_path: Path, mosquitto) -> None:
    box = make_box(tmp_path, extra_toml=(
        f'\n[box]\nname = "hq"\n\n[mqtt]\nenabled = true\nhost = "{mosquitto.host}"\n'
        f"port = {mosquitto.port}\nstate_interval = 3600\n"))
    seed(box)
    probe = MqttProbe(mosquitto.host, mosquitto.port).connect()
    probe.subscribe("aspa/hq/event/#")
    daemon = Daemon(load_config(box.config_path), notifier=SystemdNotifier(None))
    await daemon.start()
    web = next(a for a in daemon.supervisor.adapters if isinstance(a, WebAdapter))
    session = await logged_in_session(web.url.rstrip("/"))
    stream = await session.get("/events")
    try:
        rows = (await (await session.get("/api/queue")).json())["items"]
        subjects = [r["subject"] for r in rows]
        assert subjects == list(OPEN_SUBJECTS)  # oldest first while all are normal
        last = rows[-1]["number"]
        page = await (await session.get("/")).text()
        token = page.split('name="csrf_token" value="')[1].split('"')[0]

        raised = await session.post(f"/api/tickets/{last}/fields", json={"priority": "urgent"},
                                    headers={"X-CSRF-Token": token})
        assert raised.status == 200, await raised.text()
        rows = (await (await session.get("/api/queue")).json())["items"]
        assert rows[0]["number"] == last  # urgent: its due time came first, so did it
        assert (await _live(stream, "ticket.priority"))["number"] == last

        first, second = rows[1]["number"], rows[2]["number"]
        merged = await session.post(f"/api/tickets/{second}/merge", json={"into": first},
                                    headers={"X-CSRF-Token": token})
        assert merged.status == 200, await merged.text()
        numbers = [r["number"] for r in (await (await session.get("/api/queue")).json())["items"]]
        assert second not in numbers and first in numbers
        assert (await _live(stream, "ticket.merged"))["number"] == second

        got = await receive_until(probe, lambda got: {m.topic.rsplit("/", 1)[1] for m in got}
                                  >= {"ticket-priority", "ticket-merged"})
        payloads = {m.topic.rsplit("/", 1)[1]: json.loads(m.payload) for m in got}
        assert (payloads["ticket-priority"]["ticket"],
                payloads["ticket-priority"]["priority"]) == (last, "urgent")
        assert (payloads["ticket-merged"]["ticket"], payloads["ticket-merged"]["into"]) == (
            second, first)
    finally:
        stream.close()
        await session.close()
        await daemon.stop()
        probe.close()
