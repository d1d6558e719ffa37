"""The JACK server that carries a VoIP line's call sound between baresip and the box.

baresip 1.0 hands no call's PCM to another process except through a sound
server; JACK (Debian `jackd2`) is the one whose clients are independent of
any sound card: its `dummy` driver is a clock that runs one cycle every
20 ms with no hardware at all. baresip's `jack` module opens one client per
call's source and player; the box's media part opens its own client per call
(`jack_voice_port.py`) and the two are connected port to port.

The server runs at 8 kHz (the G.711 codecs the line offers, ITU-T G.711)
with a 160-sample period, so one JACK cycle is exactly one 20 ms frame of
`appliance.media.pcm.NARROW_BAND`; baresip's jack module refuses a server
whose rate is not the call's (jack_play.c: "samplerate %uHz expected").
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Final

from appliance.voip.child_end import end_child
from appliance.voip.errors import BaresipStartError

SAMPLE_RATE_HZ: Final = 8000
PERIOD_SAMPLES: Final = 160  # 20 ms at 8 kHz: one cycle is one frame
READY_TIMEOUT_S: Final = 10.0
POLL_INTERVAL_S: Final = 0.05
STOP_TIMEOUT_S: Final = 3.0
_LOG_TAIL_CHARS: Final = 800


class JackServerError(BaresipStartError):
    """jackd did not start (not installed, or it exited)."""


def server_environment(server_name: str) -> dict[str, str]:
    """The environment that points a JACK client (baresip) at this server, not the default."""
    env = dict(os.environ)
    env["JACK_DEFAULT_SERVER"] = server_name
    env["JACK_NO_AUDIO_RESERVATION"] = "1"  # no D-Bus device reservation: no card is used
    return env


class JackServer:
    """`jackd --no-realtime -n NAME -d dummy -r 8000 -p 160`, its output in log_path."""

    def __init__(self, program: str, server_name: str, log_path: Path) -> None:
        self.program = program
        self.server_name = server_name
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None

    @property
    def is_running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        """Start jackd and wait until a client can connect; JackServerError says why not."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = self.log_path.open("ab")
        try:
            # Not real-time: the box's other work shares two cores, and 20 ms periods need
            # no RT priority on an idle dummy driver (no hardware deadline to miss).
            self.process = await asyncio.create_subprocess_exec(
                self.program, "--no-realtime", "-n", self.server_name,
                "-d", "dummy", "-r", str(SAMPLE_RATE_HZ), "-p", str(PERIOD_SAMPLES),
                stdin=asyncio.subprocess.DEVNULL, stdout=log_file,
                stderr=asyncio.subprocess.STDOUT, env=server_environment(self.server_name),
                start_new_session=True)
        except OSError as error:
            raise JackServerError(f"cannot run {self.program}: {error.strerror or error} "
                                  "(install the Debian package jackd2)") from error
        finally:
            log_file.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_TIMEOUT_S
        while not await asyncio.to_thread(self._answers):
            if self.process.returncode is not None:
                raise JackServerError(f"jackd exited at start (status "
                                      f"{self.process.returncode}): {self._log_tail()}")
            if loop.time() > deadline:
                await self.stop()
                raise JackServerError(f"jackd did not answer in {READY_TIMEOUT_S:.0f} s: "
                                      f"{self._log_tail()}")
            await asyncio.sleep(POLL_INTERVAL_S)

    def _answers(self) -> bool:
        """True when a client can connect (blocking: run in a thread)."""
        import jack

        try:
            client = jack.Client("aspa-probe", servername=self.server_name,
                                 no_start_server=True)
        except jack.JackError:
            return False
        client.close()
        return True

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-_LOG_TAIL_CHARS:].strip()
        except OSError:
            return ""

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers; safe when it never started or already ended."""
        await end_child(self.process, STOP_TIMEOUT_S)
