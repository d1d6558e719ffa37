"""Availability: retained `online` on connect, `offline` on a clean stop, the will otherwise."""

from __future__ import annotations

import socket

from tests.mqtt.conftest import SleepGate, connected, receive
from tests.peers.mqtt_probe import MqttProbe


async def test_late_subscriber_sees_online_and_clean_stop_says_offline(
        mosquitto, make_adapter) -> None:
    adapter = make_adapter(mosquitto)
    await adapter.start()
    await connected(adapter)
    probe = MqttProbe(mosquitto.host, mosquitto.port).connect()
    try:
        probe.subscribe("aspa/box1/status")
        first = await receive(probe)
        assert (first.payload, first.retain) == (b"online", True)
        assert adapter.health().ok
        await adapter.stop()
        last = await receive(probe)
        assert last.payload == b"offline"
    finally:
        probe.close()
    late = MqttProbe(mosquitto.host, mosquitto.port).connect()
    try:
        late.subscribe("aspa/box1/status")
        retained = await receive(late)
        assert (retained.payload, retained.retain) == (b"offline", True)
    finally:
        late.close()


async def test_broken_connection_fires_the_will_then_reconnects_online(
        mosquitto, make_adapter) -> None:
    gate = SleepGate(open_=False)
    adapter = make_adapter(mosquitto, link_sleep=gate)
    await adapter.start()
    await connected(adapter)
    probe = MqttProbe(mosquitto.host, mosquitto.port).connect()
    try:
        probe.subscribe("aspa/box1/status")
        assert (await receive(probe)).payload == b"online"
        # Cut the TCP connection without DISCONNECT, as a power cut or a pulled cable would.
        sock = adapter.link.connection._client.socket()
        sock.shutdown(socket.SHUT_RDWR)
        will = await receive(probe)
        assert (will.payload, will.retain) == (b"offline", False)  # live delivery of the will
        await gate.wait_calls(1)
        assert not adapter.health().ok
        assert "connection lost" in adapter.health().detail
        gate.opened.set()
        again = await receive(probe)
        assert again.payload == b"online"
        assert adapter.link.sessions == 2
    finally:
        probe.close()
