"""From aspa.toml's [mqtt] and [box] to a broker address and this box's topic tree."""

from __future__ import annotations

from appliance.config.sections.mqtt import MqttSettings
from appliance.mqtt.connection import BrokerAddress
from appliance.mqtt.topics import Topics


def broker_address(settings: MqttSettings, box: str) -> BrokerAddress:
    """Where to connect, as whom; the client id defaults to aspa-BOX."""
    return BrokerAddress(
        host=settings.host,
        port=settings.port,
        client_id=settings.client_id or f"aspa-{box}",
        username=settings.username,
        password=settings.password,
        tls=settings.tls,
        ca_file=settings.ca_file,
        keepalive=settings.keepalive,
    )


def box_topics(settings: MqttSettings, box: str) -> Topics:
    """PREFIX/BOX/... for this box."""
    return Topics(settings.topic_prefix, box)
