"""systemd's notify protocol without libsystemd: READY, STATUS, STOPPING and watchdog pings.

sd_notify(3): a message is newline-separated VAR=value assignments sent as one
datagram to the AF_UNIX socket named in $NOTIFY_SOCKET; a name that starts
with '@' lives in the abstract namespace (its first byte is NUL on the wire).
sd_watchdog_enabled(3): the watchdog is on when $WATCHDOG_USEC is set and
$WATCHDOG_PID is unset or names this process; pings go out every half interval.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Mapping

log = logging.getLogger("aspa.systemd")


class SystemdNotifier:
    """Sends state changes to the service manager; does nothing outside systemd."""

    def __init__(self, address: str | None) -> None:
        self.address = address or None
        self._sock: socket.socket | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SystemdNotifier:
        """A notifier for $NOTIFY_SOCKET (disabled when it is not set)."""
        env = os.environ if environ is None else environ
        return cls(env.get("NOTIFY_SOCKET"))

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def _wire_address(self) -> str | bytes:
        assert self.address is not None
        if self.address.startswith("@"):
            return b"\0" + self.address[1:].encode()
        return self.address

    def notify(self, *assignments: str) -> bool:
        """Send one datagram of VAR=value lines; False when nobody listens."""
        if self.address is None:
            return False
        message = "\n".join(assignments).encode()
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                # a full receive queue must never stall the event loop
                self._sock.setblocking(False)
            self._sock.sendto(message, self._wire_address())
        except OSError as error:
            log.warning("systemd notify to %s failed: %s", self.address, error)
            return False
        return True

    def ready(self, status: str = "") -> bool:
        """Tell systemd start-up is complete (Type=notify)."""
        lines = ["READY=1", f"MAINPID={os.getpid()}"]
        if status:
            lines.append(_status_line(status))
        return self.notify(*lines)

    def status(self, text: str) -> bool:
        """A one-line status shown by `systemctl status`."""
        return self.notify(_status_line(text))

    def stopping(self, status: str = "") -> bool:
        """Tell systemd a clean shutdown has begun."""
        lines = ["STOPPING=1"]
        if status:
            lines.append(_status_line(status))
        return self.notify(*lines)

    def watchdog(self) -> bool:
        """One keep-alive ping."""
        return self.notify("WATCHDOG=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _status_line(text: str) -> str:
    # a newline would start a new assignment in the datagram
    return "STATUS=" + " ".join(text.split())


def watchdog_timeout(
    environ: Mapping[str, str] | None = None, pid: int | None = None
) -> float | None:
    """The watchdog timeout in seconds, or None when the watchdog is not asked for."""
    env = os.environ if environ is None else environ
    raw = env.get("WATCHDOG_USEC")
    if not raw:
        return None
    owner = env.get("WATCHDOG_PID")
    if owner and owner.strip() != str(os.getpid() if pid is None else pid):
        return None
    try:
        usec = int(raw)
    except ValueError:
        log.warning("ignoring WATCHDOG_USEC=%r: not a whole number of microseconds", raw)
        return None
    return usec / 1_000_000 if usec > 0 else None


Sleep = Callable[[float], Awaitable[None]]


async def feed_watchdog(
    notifier: SystemdNotifier,
    watchdog_s: float,
    healthy: Callable[[], bool],
    *,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Ping every half timeout while the loop runs and `healthy()` holds; runs until cancelled."""
    interval = watchdog_s / 2
    late_after = interval * 1.5
    last = time.monotonic()
    while True:
        if healthy():
            notifier.watchdog()
        else:
            # no ping: systemd's deadline passes and it restarts the service (WatchdogSec=)
            log.error("not pinging the systemd watchdog: the daemon is unhealthy")
        await sleep(interval)
        now = time.monotonic()
        if now - last > late_after:
            log.warning("event loop was blocked: watchdog ping %.2f s late", now - last - interval)
        last = now
