"""Home Assistant MQTT discovery: one retained config message per sensor of this box.

Home Assistant reads `<prefix>/<component>/<node_id>/<object_id>/config`
(home-assistant.io/integrations/mqtt, "Discovery messages"); the device
block groups every sensor under one device, `unique_id` lets the user
rename them, and the availability topic greys them out when the box is gone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from appliance.mqtt.connection import OFFLINE, ONLINE
from appliance.mqtt.figure_catalogue import FIGURES, LINE_FIGURES, Figure
from appliance.mqtt.topics import Topics, topic_level

# Keys every discovery payload of Aspa carries; the tests hold each payload to them.
REQUIRED_KEYS = ("name", "unique_id", "object_id", "state_topic", "availability_topic",
                 "payload_available", "payload_not_available", "device")


@dataclass(frozen=True, slots=True)
class DiscoveryMessage:
    """One config topic and its retained JSON payload."""

    topic: str
    payload: str


def _version() -> str:
    try:
        return metadata.version("aspa")
    except metadata.PackageNotFoundError:
        return "unknown"


class Discovery:
    """Builds the discovery messages of one box."""

    def __init__(self, topics: Topics, prefix: str = "homeassistant") -> None:
        self.topics = topics
        self.prefix = prefix
        box = topics.box
        self.device: dict[str, Any] = {
            "identifiers": [f"aspa_{box}"],
            "name": f"Aspa {box}",
            "manufacturer": "Aspa",
            "model": "Aspa customer-service box",
            "sw_version": _version(),
        }

    def _message(self, component: str, object_id: str, name: str, state_topic: str,
                 extra: dict[str, Any]) -> DiscoveryMessage:
        box = self.topics.box
        unique = f"aspa_{box}_{object_id}"
        payload: dict[str, Any] = {
            "name": name,
            "unique_id": unique,
            "object_id": unique,
            "state_topic": state_topic,
            "availability_topic": self.topics.status,
            "payload_available": ONLINE,
            "payload_not_available": OFFLINE,
            "device": self.device,
            **{k: v for k, v in extra.items() if v is not None},
        }
        topic = f"{self.prefix}/{component}/{box}/{object_id}/config"
        return DiscoveryMessage(topic, json.dumps(payload, separators=(",", ":"), sort_keys=True))

    def _sensor(self, figure: Figure, object_id: str, name: str,
                state_topic: str) -> DiscoveryMessage:
        return self._message("sensor", object_id, name, state_topic, {
            "unit_of_measurement": figure.unit,
            "device_class": figure.device_class,
            "state_class": figure.state_class,
            "icon": figure.icon,
        })

    def box_messages(self) -> list[DiscoveryMessage]:
        """The box-wide figures."""
        return [self._sensor(f, f.name, f.label, self.topics.state(f.name)) for f in FIGURES]

    def line_messages(self, line: str) -> list[DiscoveryMessage]:
        """One phone line: registered (binary), signal and operator."""
        level = topic_level(line)
        out = [self._message("binary_sensor", f"line_{level}_registered",
                             f"Line {line} registered",
                             self.topics.line_state(line, "registered"),
                             {"device_class": "connectivity", "payload_on": "ON",
                              "payload_off": "OFF"})]
        for figure in LINE_FIGURES:
            out.append(self._sensor(figure, f"line_{level}_{figure.name}",
                                    f"Line {line} {figure.label}",
                                    self.topics.line_state(line, figure.name)))
        return out

    def mailbox_messages(self, mailbox: str) -> list[DiscoveryMessage]:
        """One mailbox's health (binary: ON = fetching fine)."""
        level = topic_level(mailbox)
        return [self._message("binary_sensor", f"mailbox_{level}_ok", f"Mailbox {mailbox}",
                              self.topics.mailbox_state(mailbox),
                              {"device_class": "connectivity", "payload_on": "ON",
                               "payload_off": "OFF"})]
