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

import collections
import contextlib
import logging
import queue
import threading
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    import jack

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
        self._incoming: queue.Queue[bytes] = queue.Queue(IN_FRAMES)
        self._outgoing: collections.deque[bytes] = collections.deque(
            [fmt.silence()] * PREFILL_FRAMES, maxlen=OUT_FRAMES)
        self._heard = bytearray()  # the caller's samples of a cycle not yet a whole frame
        self._saying = bytearray()
        self._gone = threading.Event()
        self._gone_reason = ""
        self._closed = False
        self.overruns = 0  # caller's frames dropped: the channel did not keep up
        self.underruns = 0  # cycles that sent silence: the channel wrote nothing in time
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
            try:
                self._incoming.put_nowait(frame)
            except queue.Full:
                self.overruns += 1
                with contextlib.suppress(queue.Empty):
                    self._incoming.get_nowait()  # the oldest goes: the newest is what counts
                with contextlib.suppress(queue.Full):
                    self._incoming.put_nowait(frame)
        wanted = frames * 2
        while len(self._saying) < wanted:
            try:
                self._saying += self._outgoing.popleft()
            except IndexError:
                self.underruns += 1
                self._saying += bytes(wanted - len(self._saying))
        samples = np.frombuffer(bytes(self._saying[:wanted]), dtype="<i2")
        del self._saying[:wanted]
        self.to_call.get_array()[:] = samples.astype(np.float32) / _FULL_SCALE

    def _shutdown(self, status: object, reason: str) -> None:
        self._gone_reason = reason or "the JACK server stopped"
        self._gone.set()

    # --- the media channel's thread ---------------------------------------------------------

    def read_frame(self, timeout_s: float) -> bytes | None:
        if self._gone.is_set():
            raise VoicePortError(f"{self.name}: {self._gone_reason}")
        try:
            return self._incoming.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def write_frame(self, frame: bytes) -> None:
        if self._gone.is_set():
            raise VoicePortError(f"{self.name}: {self._gone_reason}")
        self._outgoing.append(frame)  # a full deque drops its oldest frame (maxlen)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        log.info("%s: closed; %d underruns, %d overruns", self.name, self.underruns,
                 self.overruns)
        if not self._gone.is_set():
            self._gone_reason = "closed"
            self._gone.set()
        with contextlib.suppress(Exception):  # the server may be gone already
            self._client.deactivate()
        with contextlib.suppress(Exception):
            self._client.close()
