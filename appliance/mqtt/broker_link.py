"""Keeps one connection to the broker up: backoff between attempts, `online` on every connect.

Each connected session runs the `on_session` hook (publish availability,
discovery, figures, then drain the outbox) until the session is lost; then
the link waits (doubling, up to a ceiling) and connects again. Wrong
credentials are retried too, slowly, so the box recovers by itself once
the broker's password file is fixed; the reason stays in `last_error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from appliance.mqtt.connection import (
    OFFLINE,
    ONLINE,
    BrokerAddress,
    Connection,
    ConnectionLost,
    MessageHandler,
)
from appliance.mqtt.errors import BrokerRefused, MqttError, publish_refusal

log = logging.getLogger("aspa.mqtt")

FIRST_RETRY_S = 1.0
MAX_RETRY_S = 120.0
OFFLINE_ACK_TIMEOUT_S = 2.0

Sleep = Callable[[float], Awaitable[None]]
SessionHook = Callable[[Connection], Awaitable[None]]


def reconnect_delay(failures: int, first_s: float = FIRST_RETRY_S,
                    max_s: float = MAX_RETRY_S) -> float:
    """Seconds to wait after the n-th failed attempt in a row (n >= 1): doubling to a ceiling."""
    return float(min(max_s, first_s * 2 ** min(max(failures, 1) - 1, 30)))


class BrokerLink:
    """The box's MQTT connection, kept up in a background task."""

    def __init__(
        self,
        address: BrokerAddress,
        status_topic: str,
        *,
        on_session: SessionHook,
        on_message: MessageHandler,
        sleep: Sleep = asyncio.sleep,
        delay: Callable[[int], float] = reconnect_delay,
    ) -> None:
        self.address = address
        self.status_topic = status_topic
        self._on_session = on_session
        self._on_message = on_message
        self._sleep = sleep
        self._delay = delay
        self.connection: Connection | None = None
        self.connected = asyncio.Event()
        self.attempts = 0
        self.failures = 0  # failed attempts in a row
        self.sessions = 0
        self.last_error = ""
        self.refused: BrokerRefused | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Begin connecting in the background."""
        self._stopping = False
        self._task = asyncio.create_task(self._keep_connected(), name="mqtt-link")

    async def _keep_connected(self) -> None:
        while not self._stopping:
            connection = Connection(self.address, self.status_topic, self._on_message)
            self.attempts += 1
            try:
                await connection.open()
            except MqttError as error:
                self.failures += 1
                self.last_error = str(error)
                self.refused = error if isinstance(error, BrokerRefused) else None
                wait = self._delay(self.failures)
                log.error("mqtt: %s; trying again in %.0f s (attempt %d)",
                          self.last_error, wait, self.attempts)
                await self._sleep(wait)
                continue
            self.failures = 0
            self.refused = None
            self.last_error = ""
            self.sessions += 1
            self.connection = connection
            log.info("mqtt: connected to %s:%d as %s", self.address.host, self.address.port,
                     self.address.client_id)
            await self._serve(connection)
            self.connection = None
            self.connected.clear()
            if not self._stopping:
                self.failures += 1
                self.last_error = f"connection lost: {connection.lost_reason}"
                wait = self._delay(self.failures)
                log.warning("mqtt: %s; reconnecting in %.0f s", self.last_error, wait)
                await connection.close()
                await self._sleep(wait)

    async def _serve(self, connection: Connection) -> None:
        """Run the session hook until the connection is lost (or the hook ends it)."""
        session = asyncio.create_task(self._run_session(connection), name="mqtt-session")
        lost = asyncio.create_task(connection.lost.wait(), name="mqtt-lost")
        try:
            await asyncio.wait({session, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (session, lost):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _run_session(self, connection: Connection) -> None:
        try:
            # MQTT 5 §3.3.1.3: retained, so whoever subscribes later learns the box is up.
            ack = await connection.publish(self.status_topic, ONLINE, qos=1, retain=True)
            if not ack.ok:
                log.error("mqtt: %s", publish_refusal(ack.code, ack.name, self.status_topic))
            self.connected.set()
            await self._on_session(connection)
        except ConnectionLost:
            pass  # the link notices the loss itself
        except Exception:
            log.exception("mqtt: session work failed; closing the session to start afresh")
            await connection.close()
            return
        await connection.lost.wait()

    async def stop(self) -> None:
        """Publish `offline` (retained), disconnect cleanly and stop retrying."""
        self._stopping = True
        connection = self.connection
        if connection is not None and not connection.lost.is_set():
            # The will is dropped after a clean DISCONNECT (MQTT 5 §3.14.4), so say it ourselves.
            ack = connection.publish(self.status_topic, OFFLINE, qos=1, retain=True)
            with contextlib.suppress(ConnectionLost, TimeoutError):
                async with asyncio.timeout(OFFLINE_ACK_TIMEOUT_S):
                    await ack
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if connection is not None:
            await connection.close()
        self.connection = None
        self.connected.clear()
