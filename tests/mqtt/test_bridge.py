"""The bridge example: two boxes' brokers forward their topics, by site, to a central one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.mqtt.conftest import connected, receive_until
from tests.peers.mqtt_probe import MqttProbe

EXAMPLE = Path(__file__).parents[2] / "systemd" / "mosquitto" / "bridge.conf.example"


def bridge_lines(site: str, box: str, central, user: str, password: str) -> list[str]:
    """The example with its @WORDS@ filled in, as a box's installer would."""
    text = EXAMPLE.read_text()
    for word, value in {"SITE": site, "BOX": box, "CENTRAL_HOST": central.host,
                        "CENTRAL_PORT": str(central.port), "CENTRAL_USER": user,
                        "CENTRAL_PASSWORD": password}.items():
        text = text.replace(f"@{word}@", value)
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert not any("@" in line for line in lines)  # every placeholder filled
    return lines


async def test_a_central_dashboard_sees_every_box_prefixed_by_site(
        make_mosquitto, make_adapter, bus) -> None:
    central = make_mosquitto(
        users={"site-hki": "h", "site-tre": "t", "dashboard": "d"},
        acl=["user site-hki", "topic readwrite sites/hki/#",
             "user site-tre", "topic readwrite sites/tre/#",
             "user dashboard", "topic read sites/#"])
    dashboard = MqttProbe(central.host, central.port, username="dashboard",
                          password="d").connect()
    try:
        dashboard.subscribe("sites/+/aspa/+/status")
        dashboard.subscribe("sites/+/aspa/+/event/#")
        dashboard.subscribe("sites/+/aspa/+/desk/#")
        box_hki = make_mosquitto(extra_config=bridge_lines("hki", "box1", central, "site-hki", "h"))
        box_tre = make_mosquitto(extra_config=bridge_lines("tre", "box2", central, "site-tre", "t"))

        adapter = make_adapter(box_hki, discovery=False)  # box id box1
        await adapter.start()
        await connected(adapter)
        other = MqttProbe(box_tre.host, box_tre.port).connect()
        try:
            other.publish("aspa/box2/status", "online", retain=True)
            other.publish("aspa/box2/desk/anna/button", "pressed")  # stays on the site
            other.publish("aspa/box2/event/call-offered", json.dumps({"event_id": "e2"}))
        finally:
            other.close()
        got = await receive_until(dashboard, lambda got: {m.topic for m in got} >= {
            "sites/hki/aspa/box1/status", "sites/tre/aspa/box2/status",
            "sites/tre/aspa/box2/event/call-offered"}, timeout_s=15)
    finally:
        dashboard.close()
    topics = {m.topic: m.payload for m in got}
    assert topics["sites/hki/aspa/box1/status"] == b"online"
    assert topics["sites/tre/aspa/box2/status"] == b"online"
    assert not any("/desk/" in t for t in topics)

    # The retained flag crosses the bridge: a dashboard started later sees every box at once.
    late = MqttProbe(central.host, central.port, username="dashboard", password="d").connect()
    try:
        late.subscribe("sites/+/aspa/+/status")
        seen = await receive_until(late, lambda got: len(got) == 2)
    finally:
        late.close()
    assert {(m.topic, m.payload, m.retain) for m in seen} == {
        ("sites/hki/aspa/box1/status", b"online", True),
        ("sites/tre/aspa/box2/status", b"online", True)}
