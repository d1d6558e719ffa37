"""One baresip child process: started with its own config directory, stopped by its PID."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Final

from appliance.voip.baresip_files import CONTROL_HOST, BaresipFiles
from appliance.voip.child_end import end_child
from appliance.voip.control import BaresipControl, EventHandler
from appliance.voip.errors import BaresipStartError

READY_TIMEOUT_S: Final = 10.0
POLL_INTERVAL_S: Final = 0.02  # polling the control port this often keeps a start fast
STOP_TIMEOUT_S: Final = 3.0  # baresip ends its calls and un-registers on SIGTERM; then KILL
_LOG_TAIL_CHARS: Final = 1500


def free_loopback_port(avoid: frozenset[int] = frozenset()) -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now and that is not in avoid."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((CONTROL_HOST, 0))
            port = int(sock.getsockname()[1])
        if port not in avoid:
            return port


def log_tail(path: Path) -> str:
    """The end of baresip's log, for an error message."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return text[-_LOG_TAIL_CHARS:].strip()


class BaresipProcess:
    """baresip run as `baresip -f DIR`, its output in DIR/baresip.log."""

    def __init__(self, program: str, files: BaresipFiles,
                 env: dict[str, str] | None = None) -> None:
        self.program = program
        self.files = files
        self.env = env  # the JACK server's name, for a line whose sound goes through the box
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    async def start(self, on_event: EventHandler) -> BaresipControl:
        """Start baresip and connect to its control port; BaresipStartError says why not."""
        log_file = self.files.log_path.open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                self.program, "-f", str(self.files.directory),
                stdin=asyncio.subprocess.DEVNULL, stdout=log_file, stderr=asyncio.subprocess.STDOUT,
                env=self.env,
                start_new_session=True)  # a terminal's Ctrl-C is Aspa's to handle, not baresip's
        except OSError as error:
            raise BaresipStartError(f"cannot run {self.program}: {error.strerror or error} "
                                    "(install the Debian package baresip-core)") from error
        finally:
            log_file.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_TIMEOUT_S
        while True:
            if self.process.returncode is not None:
                raise BaresipStartError(
                    f"baresip exited at start (status {self.process.returncode}): "
                    f"{log_tail(self.files.log_path)}")
            control = BaresipControl(on_event)
            try:
                await control.connect(CONTROL_HOST, self.files.control_port)
                return control
            except OSError:
                pass
            if loop.time() > deadline:
                await self.stop()
                raise BaresipStartError(
                    f"baresip did not open its control port {self.files.control_port} in "
                    f"{READY_TIMEOUT_S:.0f} s: {log_tail(self.files.log_path)}")
            await asyncio.sleep(POLL_INTERVAL_S)

    async def wait(self) -> int:
        """Wait until baresip exits; its exit status."""
        assert self.process is not None
        return await self.process.wait()

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers; safe when it never started or already ended."""
        await end_child(self.process, STOP_TIMEOUT_S)
