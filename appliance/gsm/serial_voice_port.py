"""A modem's USB serial voice port (SIM7600 after AT+CPCMREG=1, EC25 after AT+QPCMV=1,0).

Raw s16le PCM both ways, no framing bytes: the module writes 320 bytes per
20 ms of the far end's voice and plays what the host writes at the same
rate. Opened with pyserial (already the AT port's library), exclusive, with
timeouts on both directions so a stalled module shows as a timeout in the
media channel, never as a hung thread.
"""

from __future__ import annotations

import contextlib
import os

import serial

from appliance.media.pcm import NARROW_BAND, PcmFormat
from appliance.media.voice_port import VoicePortError

WRITE_TIMEOUT_S = 0.5


class SerialVoicePort:
    """The voice port at `path` (a udev link such as /dev/gsm-voice, or the simulator's pty)."""

    def __init__(self, path: str, fmt: PcmFormat = NARROW_BAND, *, name: str = "") -> None:
        self.name = name or path
        self.fmt = fmt
        self.path = path
        self._pending = bytearray()
        try:
            self._serial = serial.Serial(os.path.realpath(path), baudrate=921600, timeout=0.1,
                                         write_timeout=WRITE_TIMEOUT_S, exclusive=True)
        except (OSError, serial.SerialException) as error:
            raise VoicePortError(f"cannot open voice port {path}: {error}") from error

    def read_frame(self, timeout_s: float) -> bytes | None:
        size = self.fmt.frame_bytes
        try:
            self._serial.timeout = timeout_s
            while len(self._pending) < size:
                data = self._serial.read(size - len(self._pending))
                if not data:
                    return None
                self._pending += data
        except (OSError, serial.SerialException) as error:
            raise VoicePortError(f"voice port {self.path}: {error}") from error
        frame = bytes(self._pending[:size])
        del self._pending[:size]
        return frame

    def write_frame(self, frame: bytes) -> None:
        try:
            self._serial.write(frame)
        except serial.SerialTimeoutException as error:
            raise VoicePortError(f"voice port {self.path} takes no audio") from error
        except (OSError, serial.SerialException) as error:
            raise VoicePortError(f"voice port {self.path}: {error}") from error

    def close(self) -> None:
        with contextlib.suppress(OSError, serial.SerialException):
            self._serial.close()
