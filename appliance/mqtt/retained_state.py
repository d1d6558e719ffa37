"""The retained figures of this box: the latest value of each, sent when it changes.

Retained messages are the broker's memory (MQTT 5 §3.3.1.3): a dashboard
that subscribes later gets every figure at once. They do not go through
the outbox: only the newest value matters, and every new session sends
them all again.
"""

from __future__ import annotations

import asyncio
import logging

from appliance.mqtt.connection import Connection, ConnectionLost, PubAck
from appliance.mqtt.discovery import Discovery, DiscoveryMessage
from appliance.mqtt.errors import publish_refusal
from appliance.mqtt.live_figures import csq_to_dbm, state_text
from appliance.mqtt.topics import Topics

log = logging.getLogger("aspa.mqtt.state")


class RetainedState:
    """Figures, lines and mailboxes as retained topics, plus their discovery configs."""

    def __init__(self, topics: Topics, discovery: Discovery | None) -> None:
        self.topics = topics
        self.discovery = discovery
        self.values: dict[str, str] = {}
        self.lines: set[str] = set()
        self.mailboxes: set[str] = set()
        self.refused = 0
        self.last_refusal = ""
        self._sent: dict[str, str] = {}
        self._connection: Connection | None = None

    def set_figures(self, figures: dict[str, object]) -> None:
        """New values for box-wide figures; the changed ones are sent."""
        for name, value in figures.items():
            self._set(self.topics.state(name), state_text(value))

    def set_line(self, line: str, *, registered: bool, signal: int | None,
                 operator: str | None) -> None:
        """A phone line's registration, signal (+CSQ 0..31) and operator."""
        if line not in self.lines:
            self.lines.add(line)
            if self.discovery is not None:
                self._announce(self.discovery.line_messages(line))
        self._set(self.topics.line_state(line, "registered"), state_text(registered))
        self._set(self.topics.line_state(line, "signal"), state_text(csq_to_dbm(signal)))
        self._set(self.topics.line_state(line, "operator"), state_text(operator))

    def set_mailbox(self, mailbox: str, ok: bool) -> None:
        """A mailbox fetches fine (True) or fails (False)."""
        if mailbox not in self.mailboxes:
            self.mailboxes.add(mailbox)
            if self.discovery is not None:
                self._announce(self.discovery.mailbox_messages(mailbox))
        self._set(self.topics.mailbox_state(mailbox), state_text(ok))

    def discovery_messages(self) -> list[DiscoveryMessage]:
        """Every discovery config of this box as it is now."""
        if self.discovery is None:
            return []
        out = self.discovery.box_messages()
        for line in sorted(self.lines):
            out += self.discovery.line_messages(line)
        for mailbox in sorted(self.mailboxes):
            out += self.discovery.mailbox_messages(mailbox)
        return out

    def begin_session(self, connection: Connection) -> None:
        """A new session: announce to Home Assistant, then send every value again."""
        self._connection = connection
        self._sent = {}
        self.announce()
        for topic, text in list(self.values.items()):
            self._send(topic, text)

    def announce(self) -> None:
        """Send every discovery config (also when Home Assistant comes back online)."""
        self._announce(self.discovery_messages())

    def _announce(self, messages: list[DiscoveryMessage]) -> None:
        connection = self._connection
        if connection is None or connection.lost.is_set():
            return
        for message in messages:
            self._watch(connection.publish(message.topic, message.payload, qos=1, retain=True),
                        message.topic)

    def _set(self, topic: str, text: str) -> None:
        self.values[topic] = text
        if self._sent.get(topic) != text:
            self._send(topic, text)

    def _send(self, topic: str, text: str) -> None:
        connection = self._connection
        if connection is None or connection.lost.is_set():
            return
        self._sent[topic] = text
        self._watch(connection.publish(topic, text, qos=1, retain=True), topic)

    def _watch(self, future: asyncio.Future[PubAck], topic: str) -> None:
        def settled(f: asyncio.Future[PubAck]) -> None:
            if f.cancelled() or isinstance(f.exception(), ConnectionLost):
                self._sent.pop(topic, None)  # sent again by the next session
                return
            ack = f.result()
            if not ack.ok:
                self.refused += 1
                self.last_refusal = publish_refusal(ack.code, ack.name, topic)
                if self.refused == 1 or self.refused % 100 == 0:
                    log.error("mqtt: %s (%d refused)", self.last_refusal, self.refused)

        future.add_done_callback(settled)
