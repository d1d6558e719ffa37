"""A peer daemon run as a child process, ready once it serves its port."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, NoReturn

from tests.peers.free_port import accepts_connections, free_port

READY_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
# Polling a socket every 20 ms keeps a start well under a tenth of a second.
POLL_INTERVAL_S = 0.02
# One readiness probe's wait for an answer; a miss just means another poll.
PROBE_TIMEOUT_S = 0.25
_LOG_TAIL_CHARS = 4000


class PeerStartError(RuntimeError):
    """A peer daemon exited or never listened; the message carries the end of its log."""


class PortInUseError(PeerStartError):
    """The peer could not bind its port because something else holds it."""


def _size(path: Path) -> int:
    """Return a file's size, 0 when it does not exist yet."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _tail(path: Path, since: int) -> str:
    """Return the end of what a log file gained after offset since."""
    try:
        with path.open("rb") as log:
            log.seek(since)
            text = log.read().decode(errors="replace")
    except FileNotFoundError:
        return f"({path} not written)"
    return text[-_LOG_TAIL_CHARS:]


class PeerProcess:
    """One daemon in the foreground, its output in a file, stopped by its own PID."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        host: str,
        port: int,
        output_path: Path,
        extra_logs: Sequence[Path] = (),
        is_ready: Callable[[str, int], bool] = accepts_connections,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.host = host
        self.port = port
        self.output_path = output_path
        self.extra_logs = list(extra_logs)
        self.is_ready = is_ready
        self._child: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        self._log_offsets: dict[Path, int] = {}

    @property
    def pid(self) -> int | None:
        """The PID of the running daemon, or None when stopped."""
        return self._child.pid if self.is_running else None  # type: ignore[union-attr]

    @property
    def is_running(self) -> bool:
        """Tell whether the daemon process is alive."""
        return self._child is not None and self._child.poll() is None

    def logs(self) -> str:
        """Return the end of what every log of this daemon gained since the last start."""
        parts = [
            f"--- {path} ---\n{_tail(path, self._log_offsets.get(path, 0))}"
            for path in [self.output_path, *self.extra_logs]
        ]
        return "\n".join(parts)

    def start(self) -> None:
        """Start the daemon and wait (bounded) until is_ready says it serves its port."""
        if self.is_running:
            return
        self._log_offsets = {path: _size(path) for path in [self.output_path, *self.extra_logs]}
        self._output = self.output_path.open("ab")
        # A new session keeps a Ctrl-C in the terminal from reaching the daemon mid-test.
        self._child = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            ready = self.is_ready(self.host, self.port)
            if self._child.poll() is not None:
                self._fail("exited" if ready else "exited before listening")
            if ready:
                return
            time.sleep(POLL_INTERVAL_S)
        self._fail(f"not listening on {self.host}:{self.port} after {READY_TIMEOUT_S} s")

    def _fail(self, what: str) -> NoReturn:
        """Stop what is left of the daemon and raise with its logs."""
        self.stop()
        logs = self.logs()
        message = f"{self.name} {what} ({' '.join(self.argv)})\n{logs}"
        if "Address already in use" in logs:
            raise PortInUseError(message)
        raise PeerStartError(message)

    def stop(self) -> None:
        """Stop the daemon with SIGTERM (SIGKILL after a bounded wait) and reap it."""
        child, self._child = self._child, None
        if child is not None and child.poll() is None:
            os.kill(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.kill(child.pid, signal.SIGKILL)
                child.wait()
        elif child is not None:
            child.wait()
        if self._output is not None:
            self._output.close()
            self._output = None


def start_on_a_free_port(host: str, run: Callable[[int], None]) -> int:
    """Call `run(port)` on a fresh free port, once more on another if the first was taken."""
    port = free_port(host)
    try:
        run(port)
    except PortInUseError:  # another process bound it between our look-up and the peer's bind
        port = free_port(host)
        run(port)
    return port
