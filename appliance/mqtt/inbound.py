"""Messages the box receives: only Home Assistant's birth message, checked before it is read.

Anything else, or anything too large or not the expected words, is
ignored and counted: a broker shared with other devices must not be able
to make the box crash or loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("aspa.mqtt")

MAX_PAYLOAD_BYTES = 64  # "online"/"offline"; anything bigger is not Home Assistant's status


class Inbound:
    """Sorts incoming messages; counts the ones it ignores."""

    def __init__(self, ha_status_topic: str, on_ha_online: Callable[[], None]) -> None:
        self.ha_status_topic = ha_status_topic
        self._on_ha_online = on_ha_online
        self.ignored = 0
        self.last_ignored = ""

    def handle(self, topic: str, payload: bytes) -> None:
        """Act on one message; never raises."""
        if topic != self.ha_status_topic:
            self._ignore(f"unexpected topic {topic[:80]!r}")
            return
        if len(payload) > MAX_PAYLOAD_BYTES:
            self._ignore(f"{len(payload)}-byte payload on {topic} (at most {MAX_PAYLOAD_BYTES})")
            return
        try:
            word = payload.decode("ascii").strip()
        except UnicodeDecodeError:
            self._ignore(f"payload on {topic} is not ASCII")
            return
        if word == "online":
            log.info("mqtt: Home Assistant is online; sending discovery again")
            self._on_ha_online()
        elif word != "offline":
            self._ignore(f"unknown status {word[:20]!r} on {topic}")

    def _ignore(self, why: str) -> None:
        self.ignored += 1
        self.last_ignored = why
        if self.ignored == 1 or self.ignored % 100 == 0:
            log.warning("mqtt: ignored a message: %s (%d ignored)", why, self.ignored)
