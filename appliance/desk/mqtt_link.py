"""The box's MQTT connection for the desk units: paho-mqtt's network thread, bridged to asyncio."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.reasoncodes import ReasonCode

log = logging.getLogger("aspa.desk")

CONNECT_TIMEOUT_S = 10.0
KEEPALIVE_S = 30
RECONNECT_MIN_S, RECONNECT_MAX_S = 1, 60


class BrokerError(ConnectionError):
    """The broker cannot be reached or refused the box's login."""


class MqttLink:
    """One paho client; its callbacks run on the asyncio loop, never in paho's thread."""

    def __init__(self, client_id: str, host: str, port: int, *, username: str = "",
                 password: str = "", tls: bool = False) -> None:
        self.host, self.port = host, port
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=MQTTProtocolVersion.MQTTv311)
        if username:
            self.client.username_pw_set(username, password or None)
        if tls:
            self.client.tls_set()
        self.client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
        self.on_message: Callable[[str, bytes], None] = lambda topic, payload: None
        self.on_connected: Callable[[], None] = lambda: None
        self.connected = False
        self.closing = False
        self.last_error = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._first: asyncio.Future[ReasonCode] | None = None

    async def connect(self) -> None:
        """Connect and start paho's thread; raise BrokerError when refused or unreachable."""
        self._loop = asyncio.get_running_loop()
        self._first = self._loop.create_future()
        self.closing = False
        self.client.on_connect = self._paho_connect
        self.client.on_disconnect = self._paho_disconnect
        self.client.on_message = self._paho_message
        try:
            self.client.connect(self.host, self.port, KEEPALIVE_S)
        except OSError as error:
            raise BrokerError(f"cannot reach the MQTT broker at {self.host}:{self.port}: "
                              f"{error.strerror or error}") from error
        self.client.loop_start()
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                code = await self._first
        except TimeoutError:
            await self.close()
            raise BrokerError(f"the MQTT broker at {self.host}:{self.port} did not answer "
                              f"within {CONNECT_TIMEOUT_S:.0f} s") from None
        if code.is_failure:
            await self.close()
            raise BrokerError(f"the MQTT broker at {self.host}:{self.port} refused the box: "
                              f"{code}; check mqtt.username and mqtt.password") from None

    def _call(self, handler: Callable[..., None], *args: object) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(handler, *args)

    def _paho_connect(self, client: mqtt.Client, userdata: object, flags: object,
                      code: ReasonCode, properties: object) -> None:
        self._call(self._connected, code)

    def _paho_disconnect(self, client: mqtt.Client, userdata: object, flags: object,
                         code: ReasonCode, properties: object) -> None:
        self._call(self._disconnected, code)

    def _paho_message(self, client: mqtt.Client, userdata: object,
                      message: mqtt.MQTTMessage) -> None:
        self._call(self.on_message, message.topic, bytes(message.payload))

    def _connected(self, code: ReasonCode) -> None:
        if self._first is not None and not self._first.done():
            self._first.set_result(code)
        if code.is_failure:
            self.last_error = str(code)
            return
        self.connected = True
        self.on_connected()

    def _disconnected(self, code: ReasonCode) -> None:
        if self.connected and not self.closing:
            log.warning("desk units: lost the MQTT broker (%s); paho reconnects", code)
        self.connected = False
        self.last_error = str(code)

    def subscribe(self, topic_filter: str, qos: int = 1) -> None:
        """Subscribe (again after every reconnect, from on_connected)."""
        self.client.subscribe(topic_filter, qos)

    def publish(self, topic: str, payload: str, *, retain: bool = False, qos: int = 1) -> None:
        """Queue a message; paho sends it now or after the reconnect."""
        self.client.publish(topic, payload, qos=qos, retain=retain)

    async def close(self) -> None:
        """Disconnect cleanly and stop paho's thread."""
        self.closing = True
        self.client.disconnect()
        await asyncio.to_thread(self.client.loop_stop)
        self.connected = False
