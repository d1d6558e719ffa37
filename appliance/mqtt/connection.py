"""One MQTT 5 session with the broker: a fresh paho client whose callbacks land on the event loop.

paho runs its network loop in its own thread; every callback is handed to
the asyncio loop with `call_soon_threadsafe`, so the rest of Aspa never
sees a thread. A new client per connection means paho never resends a
message of a dead session by itself: what was not acknowledged is resent
by the outbox, in its own order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from appliance.mqtt.errors import BrokerRefused, BrokerUnreachable

log = logging.getLogger("aspa.mqtt")

CONNACK_TIMEOUT_S = 10.0
# Messages paho keeps in flight before queueing (MQTT 5 §4.9 Receive Maximum is the broker's say).
MAX_INFLIGHT = 100
OFFLINE = "offline"
ONLINE = "online"


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where and as whom to connect."""

    host: str
    port: int
    client_id: str
    username: str = ""
    password: str = ""
    tls: bool = False
    ca_file: str = ""
    keepalive: int = 30


@dataclass(frozen=True, slots=True)
class PubAck:
    """The broker's answer to one QoS 1 PUBLISH (MQTT 5 §3.4.2.1)."""

    code: int
    name: str

    @property
    def ok(self) -> bool:
        """True when the broker took the message (codes below 0x80)."""
        return self.code < 0x80


class ConnectionLost(Exception):
    """The session ended before the broker acknowledged a message."""


MessageHandler = Callable[[str, bytes], None]


class Connection:
    """A connected session: publish with a future for the PUBACK, subscribe, close."""

    def __init__(self, address: BrokerAddress, will_topic: str, on_message: MessageHandler) -> None:
        self.address = address
        self.lost = asyncio.Event()
        self.lost_reason = ""
        self._loop = asyncio.get_running_loop()
        self._on_message = on_message
        self._connack: asyncio.Future[ReasonCode] = self._loop.create_future()
        self._pending: dict[int, asyncio.Future[PubAck]] = {}
        self._subacks: dict[int, asyncio.Future[list[ReasonCode]]] = {}
        self._acks: list[tuple[int, int, str]] = []
        self._acks_lock = threading.Lock()
        self._acks_scheduled = False
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=address.client_id,
                             protocol=mqtt.MQTTv5, reconnect_on_failure=False)
        if address.username:
            client.username_pw_set(address.username, address.password or None)
        if address.tls:
            client.tls_set(ca_certs=address.ca_file or None)
        # MQTT 5 §3.1.2.5: the broker publishes the will when the session ends without
        # DISCONNECT; retained, so a late subscriber also sees that the box is gone.
        client.will_set(will_topic, OFFLINE, qos=1, retain=True)
        client.max_inflight_messages_set(MAX_INFLIGHT)
        client.on_connect = self._paho_connect
        client.on_disconnect = self._paho_disconnect
        client.on_publish = self._paho_publish
        client.on_subscribe = self._paho_subscribe
        client.on_message = self._paho_message
        self._client = client

    # --- paho's thread -------------------------------------------------------

    def _soon(self, fn: Callable[..., None], *args: Any) -> None:
        # RuntimeError: the loop closed while paho was still reporting.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(fn, *args)

    def _paho_connect(self, client: mqtt.Client, userdata: Any, flags: Any,
                      reason: ReasonCode, props: Any) -> None:
        self._soon(self._connack_arrived, reason)

    def _paho_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any,
                         reason: ReasonCode, props: Any) -> None:
        self._soon(self._mark_lost, str(reason))

    def _paho_publish(self, client: mqtt.Client, userdata: Any, mid: int,
                      reason: ReasonCode, props: Any) -> None:
        # PUBACKs come in bursts: hand them over in batches, one loop wake-up per batch.
        with self._acks_lock:
            self._acks.append((mid, reason.value, reason.getName()))
            if self._acks_scheduled:
                return
            self._acks_scheduled = True
        self._soon(self._pubacks_arrived)

    def _paho_subscribe(self, client: mqtt.Client, userdata: Any, mid: int,
                        reasons: list[ReasonCode], props: Any) -> None:
        self._soon(self._suback_arrived, mid, reasons)

    def _paho_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._soon(self._on_message, message.topic, bytes(message.payload))

    # --- the event loop --------------------------------------------------------

    def _connack_arrived(self, reason: ReasonCode) -> None:
        if not self._connack.done():
            self._connack.set_result(reason)

    def _mark_lost(self, reason: str) -> None:
        if self.lost.is_set():
            return
        self.lost_reason = reason
        self.lost.set()
        if not self._connack.done():
            self._connack.set_exception(BrokerUnreachable(f"connection closed: {reason}"))
        error = ConnectionLost(reason)
        futures: list[asyncio.Future[Any]] = [*self._pending.values(), *self._subacks.values()]
        for future in futures:
            if not future.done():
                future.set_exception(error)
                future.exception()  # nobody may be waiting on it; do not warn about that
        self._pending.clear()
        self._subacks.clear()

    def _pubacks_arrived(self) -> None:
        with self._acks_lock:
            acks, self._acks = self._acks, []
            self._acks_scheduled = False
        for mid, code, name in acks:
            future = self._pending.pop(mid, None)
            if future is not None and not future.done():
                future.set_result(PubAck(code, name))

    def _suback_arrived(self, mid: int, reasons: list[ReasonCode]) -> None:
        future = self._subacks.pop(mid, None)
        if future is not None and not future.done():
            future.set_result(reasons)

    async def open(self) -> None:
        """Connect and wait for CONNACK; BrokerUnreachable or BrokerRefused when that fails."""
        a = self.address
        try:
            await asyncio.to_thread(self._client.connect, a.host, a.port, a.keepalive,
                                    clean_start=True)
        except (OSError, ValueError) as error:
            raise BrokerUnreachable(
                f"cannot reach the MQTT broker at {a.host}:{a.port}: {error}") from error
        self._client.loop_start()
        try:
            async with asyncio.timeout(CONNACK_TIMEOUT_S):
                reason = await self._connack
        except TimeoutError as error:
            await self.close()
            raise BrokerUnreachable(f"{a.host}:{a.port} did not answer CONNECT in "
                                    f"{CONNACK_TIMEOUT_S:.0f} s: is it an MQTT broker?") from error
        except BaseException:
            await self.close()
            raise
        if reason.is_failure:
            await self.close()
            raise BrokerRefused(reason.value, reason.getName())

    def publish(self, topic: str, payload: str | bytes, *, qos: int = 1,
                retain: bool = False) -> asyncio.Future[PubAck]:
        """Send one message; the future ends with the broker's PUBACK or ConnectionLost."""
        future: asyncio.Future[PubAck] = self._loop.create_future()
        if self.lost.is_set():
            future.set_exception(ConnectionLost(self.lost_reason))
            return future
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS and info.rc != mqtt.MQTT_ERR_QUEUE_SIZE:
            if info.rc == mqtt.MQTT_ERR_NO_CONN:
                future.set_exception(ConnectionLost("not connected"))
            else:
                future.set_exception(ConnectionLost(mqtt.error_string(info.rc)))
            return future
        if qos == 0:
            future.set_result(PubAck(0, "Success"))
        else:
            self._pending[info.mid] = future
        return future

    async def subscribe(self, topic: str, qos: int = 1) -> ReasonCode:
        """Subscribe and return the SUBACK's reason code (0x87 when the ACL refuses)."""
        result, mid = self._client.subscribe(topic, qos)
        if result != mqtt.MQTT_ERR_SUCCESS or mid is None:
            raise ConnectionLost(mqtt.error_string(result))
        future: asyncio.Future[list[ReasonCode]] = self._loop.create_future()
        self._subacks[mid] = future
        reasons = await future
        return reasons[0]

    @property
    def in_flight(self) -> int:
        """Messages sent and not acknowledged yet."""
        return len(self._pending)

    async def close(self) -> None:
        """Send DISCONNECT (the broker then drops the will) and stop paho's thread."""
        self._client.disconnect()
        await asyncio.to_thread(self._client.loop_stop)
        self._mark_lost("closed by Aspa")
