"""Wrong credentials and ACL denials: said clearly, retried with backoff, never looped on."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

from appliance.config.aspa_toml import Config
from appliance.config.sections.box import BoxSettings
from appliance.mqtt.doctor import broker_reachable, outbox_backlog
from appliance.mqtt.outbox_rows import count_unsent
from appliance.spine.events import CallOffered, TicketCreated
from tests.mqtt.conftest import BOX, SleepGate, connected, mqtt_settings, receive
from tests.peers.mqtt_probe import MqttProbe

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def config_for(broker, data_dir: str = "", **changes) -> Config:
    return dataclasses.replace(Config(data_dir=data_dir), box=BoxSettings(name=BOX),
                               mqtt=mqtt_settings(broker, **changes))


async def test_wrong_password_is_named_and_retried_with_growing_delays(
        make_mosquitto, make_adapter, tmp_path) -> None:
    broker = make_mosquitto(users={"aspa": "right"})
    gate = SleepGate()
    adapter = make_adapter(broker, link_sleep=gate, username="aspa", password="wrong")
    await adapter.start()
    await gate.wait_calls(4)
    assert gate.delays[:4] == [1.0, 2.0, 4.0, 8.0]
    assert adapter.link.sessions == 0
    health = adapter.health()
    assert not health.ok
    assert "refused the login" in health.detail
    assert "mqtt.password" in health.detail
    await adapter.tick()  # the daemon notes the error where `aspa doctor` reads it
    await adapter.stop()
    backlog = outbox_backlog(config_for(broker, data_dir=str(tmp_path)))
    assert backlog.status == "warn"
    assert "0 waiting, 0 dropped" in backlog.detail
    assert "refused the login" in backlog.detail


def test_doctor_names_wrong_credentials_and_passes_right_ones(make_mosquitto) -> None:
    broker = make_mosquitto(users={"aspa": "right"})
    wrong = broker_reachable(config_for(broker, username="aspa", password="wrong"))
    assert wrong.status == "fail"
    assert "refused the login" in wrong.detail
    right = broker_reachable(config_for(broker, username="aspa", password="right"))
    assert right.status == "ok", right.detail
    assert "logged in as aspa" in right.detail


def test_doctor_reports_an_unreachable_broker_and_a_switched_off_part(make_mosquitto) -> None:
    broker = make_mosquitto()
    broker.stop()
    down = broker_reachable(config_for(broker))
    assert down.status == "fail"
    assert "cannot reach the broker" in down.detail
    assert broker_reachable(config_for(broker, enabled=False)).status == "off"


async def test_an_acl_denial_is_reported_once_and_not_resent(make_mosquitto, make_adapter,
                                                             bus, store) -> None:
    broker = make_mosquitto(
        users={"aspa": "pw", "watch": "pw"},
        acl=["user aspa", f"topic write aspa/{BOX}/status", f"topic write aspa/{BOX}/state/#",
             f"topic write aspa/{BOX}/event/call-offered", "topic read homeassistant/status",
             "topic write homeassistant/#", "user watch", "topic read #"])
    adapter = make_adapter(broker, username="aspa", password="pw")
    await adapter.start()
    await connected(adapter)
    probe = MqttProbe(broker.host, broker.port, username="watch", password="pw").connect()
    try:
        probe.subscribe(f"aspa/{BOX}/event/#")
        denied = TicketCreated(at=AT, number=7, channel="email", subject="x", priority="normal")
        allowed = CallOffered(at=AT, call_id="c1", line="gsm0", number=None)
        bus.publish(denied)
        bus.publish(allowed)
        message = await receive(probe)
        assert json.loads(message.payload)["event_id"] == allowed.event_id
        await adapter.outbox.wait_empty()
    finally:
        probe.close()
    assert await store.call(count_unsent) == 0
    assert adapter.outbox.refused == 1
    assert adapter.link.sessions == 1  # no reconnect loop
    health = adapter.health()
    assert not health.ok
    assert f"ACL does not let this user publish to aspa/{BOX}/event/ticket-created" in health.detail
