"""An EC25/EG25's call sound on its USB audio card (UAC), through ALSA, as a VoicePort.

After `AT+QPCMV=1,2` (Quectel EC2x "Voice over USB and UAC" application note;
the UAC function enabled in `AT+QCFG="USBCFG"`) the module's voice is a USB
Audio Class card: 8 kHz, 16-bit, mono, one capture and one playback stream,
which the kernel's snd-usb-audio driver gives ALSA. The card is opened with
sounddevice (PortAudio's ALSA host, over Debian's libportaudio2), the library
made for a full-duplex callback stream on an ALSA device: its wheel is pure
Python (cffi), so the box installs it for arm64 from a wheel, and PortAudio
handles ALSA's periods, xruns and recovery. pyalsaaudio would need a C build on
the box and leaves xrun recovery to the caller.

PortAudio's own thread calls `_process` once a period (20 ms): the caller's
frame goes to the media channel through a bounded queue, and the card gets the
frame the channel wrote last. Both directions are bounded like the JACK port's
(voip/jack_voice_port.py): a late channel loses the oldest frames (counted),
a period with nothing to send plays silence (an underrun, counted), so neither
PortAudio's thread nor the asyncio loop ever waits on the card.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any, Final

from appliance.media.frame_handover import FrameHandover
from appliance.media.pcm import NARROW_BAND, PcmFormat
from appliance.media.voice_port import VoicePortError

if TYPE_CHECKING:
    import sounddevice

log = logging.getLogger("aspa.gsm.uac")

IN_FRAMES: Final = 4  # 80 ms of the caller's voice waiting for the channel, at most
OUT_FRAMES: Final = 4  # 80 ms of the box's sound waiting for the card, at most
PREFILL_FRAMES: Final = 2  # the channel answers a period's frame in the next period
LATENCY_S: Final = 0.06  # ALSA buffer asked of PortAudio: three periods


def _library() -> Any:
    """sounddevice, loaded only by a line whose sound goes through a USB audio card."""
    try:
        import sounddevice
    except (ImportError, OSError) as error:  # OSError: libportaudio2 is not installed
        raise VoicePortError(f"no audio library for the USB audio card: {error} (install the "
                             "Debian package libportaudio2)") from error
    return sounddevice


class UacVoicePort:
    """The call's sound on the modem's USB audio card: `read_frame` hears, `write_frame` says."""

    def __init__(self, device: str, fmt: PcmFormat = NARROW_BAND, *, name: str = "") -> None:
        sd = _library()
        self.name = name or device
        self.fmt = fmt
        self._frames = FrameHandover(self.name, fmt, in_frames=IN_FRAMES, out_frames=OUT_FRAMES,
                                     prefill_frames=PREFILL_FRAMES)
        self._closed = False
        self.xruns = 0  # periods ALSA itself reported late (PortAudio's status flags)
        try:
            self._stream: sounddevice.RawStream = sd.RawStream(
                samplerate=fmt.rate_hz, blocksize=fmt.samples_per_frame, channels=1,
                dtype="int16", device=device, latency=LATENCY_S, callback=self._process,
                finished_callback=self._finished)
            self._stream.start()
        except (ValueError, sd.PortAudioError) as error:
            raise VoicePortError(f"{self.name}: the USB audio card {device!r} cannot be "
                                 f"opened at {fmt.rate_hz} Hz: {error}") from error

    @property
    def overruns(self) -> int:
        return self._frames.overruns

    @property
    def underruns(self) -> int:
        return self._frames.underruns

    @property
    def said_dropped(self) -> int:
        return self._frames.said_dropped

    # --- PortAudio's thread -------------------------------------------------------------------

    def _process(self, heard: Any, said: Any, frames: int, _time: Any, status: Any) -> None:
        if status:
            self.xruns += 1
        self._frames.heard(bytes(heard))
        wanted = len(said)
        out = self._frames.next_said() or bytes(wanted)
        said[:] = out[:wanted].ljust(wanted, b"\0")

    def _finished(self) -> None:
        self._frames.end("the USB audio card stopped")

    # --- the media channel's thread -----------------------------------------------------------

    def read_frame(self, timeout_s: float) -> bytes | None:
        return self._frames.read_frame(timeout_s)

    def write_frame(self, frame: bytes) -> None:
        self._frames.write_frame(frame)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._frames.end("closed")
        with contextlib.suppress(Exception):  # the card may be unplugged already
            self._stream.abort()
        with contextlib.suppress(Exception):
            self._stream.close()
        log.info("%s: closed; %s, %d xruns", self.name, self._frames.counts_text(), self.xruns)
