"""A paho-mqtt client for tests: connect, subscribe and wait for messages with timeouts."""

from __future__ import annotations

import queue
import threading
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

WAIT_TIMEOUT_S = 5.0


class MqttConnectRefused(RuntimeError):
    """The broker answered CONNECT with a failure reason code."""


class MqttProbe:
    """One paho client on its own network thread, whose callbacks feed events and a queue."""

    def __init__(
        self,
        host: str,
        port: int,
        client_id: str = "",
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.messages: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.connect_result: ReasonCode | None = None
        self._connected = threading.Event()
        self._subacks: dict[int, list[ReasonCode]] = {}
        self._subacked = threading.Condition()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any
    ) -> None:
        self.connect_result = reason
        if reason.is_failure:
            # Disconnecting here stops paho's network loop from retrying after its 1 s delay.
            client.disconnect()
        self._connected.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.messages.put(message)

    def _on_subscribe(
        self, client: mqtt.Client, userdata: Any, mid: int, reasons: list[ReasonCode], props: Any
    ) -> None:
        with self._subacked:
            self._subacks[mid] = list(reasons)
            self._subacked.notify_all()

    def connect(self, timeout_s: float = WAIT_TIMEOUT_S) -> MqttProbe:
        """Connect and wait for CONNACK; raise MqttConnectRefused on a failure code."""
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(timeout_s):
            self.close()
            raise TimeoutError(f"no CONNACK from {self.host}:{self.port} in {timeout_s} s")
        if self.connect_result is not None and self.connect_result.is_failure:
            self.close()
            raise MqttConnectRefused(str(self.connect_result))
        return self

    def subscribe(
        self, topic: str, qos: int = 1, timeout_s: float = WAIT_TIMEOUT_S
    ) -> list[ReasonCode]:
        """Subscribe and wait for SUBACK; return its reason codes (0x80 means refused)."""
        result, mid = self.client.subscribe(topic, qos)
        if result != mqtt.MQTT_ERR_SUCCESS or mid is None:
            raise RuntimeError(f"SUBSCRIBE {topic} not sent: {mqtt.error_string(result)}")
        with self._subacked:
            if not self._subacked.wait_for(lambda: mid in self._subacks, timeout_s):
                raise TimeoutError(f"no SUBACK for {topic} in {timeout_s} s")
            return self._subacks.pop(mid)

    def publish(
        self,
        topic: str,
        payload: bytes | str,
        qos: int = 1,
        retain: bool = False,
        timeout_s: float = WAIT_TIMEOUT_S,
    ) -> None:
        """Publish and, for QoS > 0, wait until the broker acknowledged it."""
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(timeout_s)

    def next_message(self, timeout_s: float = WAIT_TIMEOUT_S) -> mqtt.MQTTMessage:
        """Return the next message received; raise TimeoutError if none comes."""
        try:
            return self.messages.get(timeout=timeout_s)
        except queue.Empty:
            raise TimeoutError(f"no MQTT message in {timeout_s} s") from None

    def close(self) -> None:
        """Disconnect and stop the network thread."""
        self.client.disconnect()
        self.client.loop_stop()
