"""One SIP call's sound as a VoicePort: a JACK client joined to baresip's source and player.

JACK's own thread calls `_process` once a cycle (20 ms, see jack_server.py):
it hands the caller's voice (baresip's player output) to the media channel
through a bounded queue and gives baresip's source the frame the channel
wrote last. Both directions are bounded: a channel that falls behind loses
the oldest frames (counted), and a cycle with nothing to send plays silence
(an underrun, counted), so neither JACK's thread nor the loop ever waits.
The JACK Python binding (JACK-Client, cffi over libjack) is the library made
for this; nothing here speaks JACK's protocol itself.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    import jack

from appliance.media.frame_handover import FrameHandover
from appliance.media.pcm import NARROW_BAND, PcmFormat
from appliance.media.voice_port import VoicePortError

log = logging.getLogger("aspa.voip.sound")

# Short queues: a frame that waits is delay for the rest of the call (a late channel
# loses the oldest frames instead); bench/voip_sound.py measured 0 underruns with these.
IN_FRAMES: Final = 4  # 80 ms of the caller's voice waiting for the channel, at most
OUT_FRAMES: Final = 4  # 80 ms of the box's sound waiting for JACK, at most
PREFILL_FRAMES: Final = 2  # the channel answers a cycle's frame in the next cycle: 40 ms slack
_FULL_SCALE: Final = 32768.0


class JackVoicePort:
    """The box's JACK client for one call: `from_call` hears the caller, `to_call` speaks."""

    def __init__(self, server_name: str, client_name: str, fmt: PcmFormat = NARROW_BAND, *,
                 name: str = "") -> None:
        import jack  # only a line whose sound goes through the box loads libjack

        self.name = name or client_name
        self.fmt = fmt
        self._frames = FrameHandover(self.name, fmt, in_frames=IN_FRAMES, out_frames=OUT_FRAMES,
                                     prefill_frames=PREFILL_FRAMES)
        self._heard = bytearray()  # the caller's samples of a cycle not yet a whole frame
        self._saying = bytearray()
        self._closed = False
        try:
            self._client = jack.Client(client_name, servername=server_name,
                                       no_start_server=True)
        except jack.JackError as error:
            raise VoicePortError(f"no JACK server {server_name!r} for {self.name}: "
                                 f"{error}") from error
        if self._client.samplerate != fmt.rate_hz:
            self._client.close()
            raise VoicePortError(f"JACK server {server_name!r} runs at "
                                 f"{self._client.samplerate} Hz, not {fmt.rate_hz} Hz")
        self.from_call = self._client.inports.register("from_call")
        self.to_call = self._client.outports.register("to_call")
        self._client.set_process_callback(self._process)
        self._client.set_shutdown_callback(self._shutdown)
        self._client.activate()

    @property
    def overruns(self) -> int:
        return self._frames.overruns

    @property
    def underruns(self) -> int:
        return self._frames.underruns

    @property
    def client(self) -> jack.Client:
        """The box's JACK client of this call (to look up baresip's ports with)."""
        return self._client

    def connect(self, call_player: str, call_source: str) -> None:
        """Join baresip's player port (the caller's voice) and source port (what they hear)."""
        import jack

        try:
            self._client.connect(call_player, self.from_call)
            self._client.connect(self.to_call, call_source)
        except jack.JackError as error:
            raise VoicePortError(f"{self.name}: cannot join baresip's ports: {error}") from error

    # --- JACK's thread --------------------------------------------------------------------

    def _process(self, frames: int) -> None:
        size = self.fmt.frame_bytes
        heard = np.clip(self.from_call.get_array() * _FULL_SCALE, -_FULL_SCALE,
                        _FULL_SCALE - 1).astype("<i2")
        self._heard += heard.tobytes()
        while len(self._heard) >= size:
            frame = bytes(self._heard[:size])
            del self._heard[:size]
            self._frames.heard(frame)
        wanted = frames * 2
        while len(self._saying) < wanted:
            said = self._frames.next_said()
            self._saying += said if said is not None else bytes(wanted - len(self._saying))
        samples = np.frombuffer(bytes(self._saying[:wanted]), dtype="<i2")
        del self._saying[:wanted]
        self.to_call.get_array()[:] = samples.astype(np.float32) / _FULL_SCALE

    def _shutdown(self, status: object, reason: str) -> None:
        self._frames.end(reason or "the JACK server stopped")

    # --- the media channel's thread ---------------------------------------------------------

    def read_frame(self, timeout_s: float) -> bytes | None:
        return self._frames.read_frame(timeout_s)

    def write_frame(self, frame: bytes) -> None:
        self._frames.write_frame(frame)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        log.info("%s: closed; %s", self.name, self._frames.counts_text())
        self._frames.end("closed")
        with contextlib.suppress(Exception):  # the server may be gone already
            self._client.deactivate()
        with contextlib.suppress(Exception):
            self._client.close()
