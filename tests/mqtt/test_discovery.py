"""Home Assistant discovery: complete payloads, sent on connect and again when HA says online."""

from __future__ import annotations

import json

from appliance.mqtt.discovery import REQUIRED_KEYS, Discovery
from appliance.mqtt.figure_catalogue import FIGURES
from appliance.mqtt.topics import Topics
from tests.mqtt.conftest import connected, receive_until
from tests.peers.mqtt_probe import MqttProbe

CONFIG_COUNT = len(FIGURES)


def is_config(message) -> bool:
    return message.topic.startswith("homeassistant/") and message.topic.endswith("/config")


async def test_discovery_payloads_carry_every_required_key(mosquitto, make_adapter) -> None:
    adapter = make_adapter(mosquitto)
    await adapter.start()
    await connected(adapter)
    for _ in ("first sight", "late subscriber: retained"):
        probe = MqttProbe(mosquitto.host, mosquitto.port).connect()
        try:
            probe.subscribe("homeassistant/+/box1/+/config")
            got = await receive_until(probe, lambda got: len(got) == CONFIG_COUNT)
        finally:
            probe.close()
    by_topic = {m.topic: json.loads(m.payload) for m in got}
    catalogue = {f.name: f for f in FIGURES}
    assert len(by_topic) == CONFIG_COUNT
    for topic, payload in by_topic.items():
        assert all(key in payload for key in REQUIRED_KEYS), topic
        name = topic.split("/")[3]
        figure = catalogue[name]
        assert topic == f"homeassistant/sensor/box1/{name}/config"
        assert payload["state_topic"] == f"aspa/box1/state/{name}"
        assert payload["availability_topic"] == "aspa/box1/status"
        assert payload["unique_id"] == f"aspa_box1_{name}"
        assert payload["device"]["identifiers"] == ["aspa_box1"]
        assert {"name", "model", "sw_version", "manufacturer"} <= set(payload["device"])
        assert payload.get("unit_of_measurement") == figure.unit
        assert payload.get("device_class") == figure.device_class
        assert payload.get("state_class") == figure.state_class
    assert by_topic["homeassistant/sensor/box1/longest_wait/config"]["unit_of_measurement"] == "s"
    assert all(m.retain for m in got)


def test_line_discovery_has_a_connectivity_binary_sensor_and_escaped_ids() -> None:
    messages = Discovery(Topics("aspa", "box1")).line_messages("SIM 1")
    registered = json.loads(messages[0].payload)
    # Upper case is escaped: topics stay lowercase and "SIM 1" never meets "sim 1".
    assert messages[0].topic == (
        "homeassistant/binary_sensor/box1/line__53_49_4d_201_registered/config")
    assert registered["device_class"] == "connectivity"
    assert registered["state_topic"] == "aspa/box1/state/line/_53_49_4d_201/registered"
    signal = json.loads(messages[1].payload)
    assert (signal["unit_of_measurement"], signal["device_class"]) == ("dBm", "signal_strength")


async def test_discovery_is_sent_again_when_home_assistant_comes_online(
        mosquitto, make_adapter) -> None:
    adapter = make_adapter(mosquitto)
    await adapter.start()
    await connected(adapter)
    probe = MqttProbe(mosquitto.host, mosquitto.port).connect()
    try:
        probe.subscribe("homeassistant/#")
        await receive_until(probe, lambda got: sum(map(is_config, got)) == CONFIG_COUNT)
        # Malformed, oversized and unknown payloads are ignored and counted, never a crash.
        probe.publish("homeassistant/status", b"\xff\xfe online")
        probe.publish("homeassistant/status", b"online" * 100)
        probe.publish("homeassistant/status", b"rebooting")
        probe.publish("homeassistant/status", b"online")
        again = await receive_until(probe, lambda got: sum(map(is_config, got)) == CONFIG_COUNT)
        assert [m.payload for m in again if not is_config(m)][:3] == [
            b"\xff\xfe online", b"online" * 100, b"rebooting"]
    finally:
        probe.close()
    assert adapter.inbound.ignored == 3
    assert adapter.health().ok
