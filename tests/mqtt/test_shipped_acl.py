"""The box's own Mosquitto ACL (systemd/mosquitto/aspa.acl) lets the MQTT adapter do all it does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from appliance.spine.events import CallOffered
from tests.mqtt.conftest import connected, receive_until
from tests.peers.mqtt_probe import MqttProbe

ACL = Path(__file__).parents[2] / "systemd" / "mosquitto" / "aspa.acl"


async def test_the_shipped_acl_refuses_nothing_the_adapter_sends(make_mosquitto, make_adapter,
                                                                 bus) -> None:
    lines = [line for line in ACL.read_text().splitlines() if line and not line.startswith("#")]
    broker = make_mosquitto(users={"aspa": "pw"}, acl=lines)
    adapter = make_adapter(broker, username="aspa", password="pw")
    await adapter.start()
    await connected(adapter)
    probe = MqttProbe(broker.host, broker.port, username="aspa", password="pw").connect()
    try:
        probe.subscribe("aspa/box1/event/#")
        bus.publish(CallOffered(at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC), call_id="c1",
                                line="gsm0", number=None))
        await receive_until(probe, lambda got: len(got) == 1)
        await adapter.outbox.wait_empty()
        await adapter.refresh_figures()
        probe.publish("homeassistant/status", "online")  # discovery again, through the ACL
        probe.subscribe("homeassistant/sensor/box1/+/config")
        await receive_until(probe, lambda got: any("/config" in m.topic for m in got))
    finally:
        probe.close()
    assert adapter.outbox.refused == 0
    assert adapter.state.refused == 0
    assert adapter.subscribe_error == ""
    assert adapter.health().ok, adapter.health().detail
