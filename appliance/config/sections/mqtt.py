"""The `[mqtt]` section: the broker the figures and desk units talk through."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from appliance.config import value_checks
from appliance.config.schema import in_range, setting
from appliance.config.secret_files import masked_repr
from appliance.config.shown_value import shown

# MQTT 3.1.1 §4.7: '+' and '#' are wildcards, not allowed in topic names we publish to.
_TOPIC_PREFIX = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)*")


def _topic_prefix(value: Any) -> str | None:
    if _TOPIC_PREFIX.fullmatch(value):
        return None
    return (f"must be lowercase topic levels joined by '/', without a leading or trailing '/' "
            f"or wildcards, not {shown(value)}")


@dataclass(frozen=True)
class MqttSettings:
    """Connection to the MQTT broker."""

    enabled: bool = setting(False, "Publish figures and talk to desk units over MQTT")
    host: str = setting("127.0.0.1", "Broker host name or address", check=value_checks.host)
    port: int = setting(1883, "Broker port: 1883 plain, 8883 with tls", check=value_checks.port)
    username: str = setting("", "Login at the broker; empty = anonymous")
    password: str = setting("", "Password at the broker (or use password_file)")
    password_file: str = setting("", "File holding the broker password, read at start")
    tls: bool = setting(False, "Connect with TLS")
    topic_prefix: str = setting(
        "aspa", "First topic level; topics are PREFIX/BOX_NAME/...", check=_topic_prefix)
    ca_file: str = setting("", "CA certificate file for tls; empty = the system's CA store")
    client_id: str = setting("", "MQTT client id; empty = aspa-BOX_NAME")
    keepalive: int = setting(
        30, "Seconds between keep-alive pings (MQTT 5 §3.1.2.10)", check=in_range(5, 3600))
    outbox_cap: int = setting(
        100_000, "Events and summaries kept while the broker is away; beyond it they are counted "
        "as dropped", check=in_range(100, 10_000_000))
    state_interval: int = setting(
        15, "Seconds between refreshes of the retained live figures", check=in_range(1, 3600))
    discovery: bool = setting(True, "Announce the figures to Home Assistant (MQTT discovery)")
    discovery_prefix: str = setting(
        "homeassistant", "Home Assistant's discovery prefix", check=_topic_prefix)

    __repr__ = masked_repr
