"""MQTT failures in words an installer can act on, translated once from broker reason codes."""

from __future__ import annotations

# MQTT 5 §3.2.2.2 (CONNACK) and §3.4.2.1 (PUBACK) reason codes.
BAD_USER_NAME_OR_PASSWORD = 0x86
NOT_AUTHORIZED = 0x87
SERVER_UNAVAILABLE = 0x88
BANNED = 0x8A
TOPIC_NAME_INVALID = 0x90
PACKET_TOO_LARGE = 0x95
QUOTA_EXCEEDED = 0x97

_CONNECT_HINTS = {
    BAD_USER_NAME_OR_PASSWORD: "bad user name or password: check mqtt.username and "
                               "mqtt.password (or mqtt.password_file) in aspa.toml",
    # Mosquitto answers a wrong password with this code too, not with 0x86.
    NOT_AUTHORIZED: "the broker refused the login (not authorised): check mqtt.username and "
                    "mqtt.password (or mqtt.password_file) in aspa.toml against the broker's "
                    "password file",
    SERVER_UNAVAILABLE: "the broker is unavailable: check that Mosquitto is running",
    BANNED: "the broker has banned this client: ask its administrator",
}


class MqttError(Exception):
    """Base of every MQTT failure of Aspa."""


class BrokerUnreachable(MqttError, ConnectionError):
    """No MQTT connection could be made to the broker's address."""


class BrokerRefused(MqttError, PermissionError):
    """The broker answered CONNECT with a failure reason code."""

    def __init__(self, code: int, name: str) -> None:
        self.code = code
        hint = _CONNECT_HINTS.get(code, f"the broker refused the connection ({name})")
        super().__init__(hint)

    @property
    def is_credentials(self) -> bool:
        """True when retrying with the same settings cannot help until someone fixes them."""
        return self.code in (BAD_USER_NAME_OR_PASSWORD, NOT_AUTHORIZED, BANNED)


def publish_refusal(code: int, name: str, topic: str) -> str:
    """Why the broker refused one PUBLISH, and what to do about it."""
    if code == NOT_AUTHORIZED:
        return (f"the broker's ACL does not let this user publish to {topic}: "
                f"allow write on it (e.g. `pattern write aspa/#`) in the broker's acl_file")
    return f"the broker refused a message on {topic} ({name}, reason code 0x{code:02x})"
