"""One call's audio thread: read a frame from the line, act on it, write one back.

The line's own clock paces the loop (a modem sends a frame every 20 ms and
takes one for each), so nothing here sleeps or drifts. Per frame in: look
for keys, feed the voicemail recorder, hand the frame to a bridged line.
Per frame out: the bridged line's audio, or the player's announcements and
music. Commands from the asyncio loop arrive through a bounded queue and
run between frames; events go back through `emit`, which the engine points
at the loop. The thread stops on `stop()`, or on its own when the port
fails (a PortFailed event says why): it never hangs on a dead port.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .dtmf_detector import DtmfDetector
from .jitter_buffer import JitterBuffer
from .key_merge import KeyMerger
from .media_events import KeyDetected, MediaEvent, PortFailed, PromptFinished, RecordingFinished
from .pcm import SAMPLE_BYTES
from .player import Player
from .port_health import HealthRules, PortHealth
from .voice_port import VoicePort, VoicePortError
from .voicemail_recorder import VoicemailRecorder

log = logging.getLogger("aspa.media.channel")

READ_TIMEOUT_S = 0.1
COMMAND_QUEUE = 64

Command = Callable[["MediaChannel"], None]


class ChannelBusy(RuntimeError):
    """The channel's command queue is full (its thread is not keeping up)."""


@dataclass(frozen=True, slots=True)
class ChannelFigures:
    """What one channel did."""

    frames_in: int
    frames_out: int
    stalled_reads: int
    cpu_seconds: float


class MediaChannel:
    """The audio of one call on one voice port, run by its own thread."""

    def __init__(self, name: str, port: VoicePort, emit: Callable[[MediaEvent], None], *,
                 clock: Callable[[], float] = time.monotonic,
                 health: HealthRules | None = None, detect_keys: bool = True) -> None:
        self.name = name
        self.port = port
        self.fmt = port.fmt
        self.emit = emit
        self.player = Player(self.fmt)
        self.detector: DtmfDetector | None = DtmfDetector(self.fmt) if detect_keys else None
        self.key_merger = KeyMerger(self.fmt.rate_hz)  # a key sent as an event and a tone
        self.samples_in = 0  # the call's media clock: samples of the caller's audio taken
        self.recorder: VoicemailRecorder | None = None
        self.forward_to: JitterBuffer | None = None  # the caller's voice, to a bridged line
        self.listen_from: JitterBuffer | None = None  # the bridged line's voice, to the caller
        self.health = PortHealth(clock, health)
        self._commands: queue.Queue[Command] = queue.Queue(COMMAND_QUEUE)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.frames_in = self.frames_out = 0
        self.cpu_seconds = 0.0
        self.failure: str | None = None

    # --- from the loop ---------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"media:{self.name}",
                                        daemon=True)
        self._thread.start()

    def send(self, command: Command) -> None:
        """Run `command(channel)` in the audio thread between two frames."""
        try:
            self._commands.put_nowait(command)
        except queue.Full:
            raise ChannelBusy(f"{self.name}: {COMMAND_QUEUE} commands wait already") from None

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout_s: float) -> bool:
        """Wait for the thread to end (blocking: call from a worker thread); True if it did."""
        if self._thread is not None:
            self._thread.join(timeout_s)
            return not self._thread.is_alive()
        return True

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def figures(self) -> ChannelFigures:
        return ChannelFigures(self.frames_in, self.frames_out, self.health.stalls,
                              self.cpu_seconds)

    # --- in the audio thread -----------------------------------------------------------

    def _run(self) -> None:
        started = time.thread_time()
        try:
            while not self._stop.is_set():
                self._run_commands()
                try:
                    frame = self.port.read_frame(READ_TIMEOUT_S)
                except VoicePortError as error:
                    self._fail(str(error) or "the voice port closed")
                    break
                if frame is None:
                    reason = self.health.nothing()
                    if reason:
                        self._fail(reason)
                        break
                    continue
                reason = self.health.frame(frame)
                if reason:
                    self._fail(reason)
                    break
                self.process(frame)
                try:
                    self.port.write_frame(self.next_frame())
                except VoicePortError as error:
                    self._fail(str(error) or "the voice port refused audio")
                    break
                self.frames_out += 1
        except Exception as error:  # a bug must end this call's audio, not hang it
            log.exception("%s: media thread failed", self.name)
            self._fail(f"internal error: {error}")
        finally:
            self.cpu_seconds = time.thread_time() - started
            if self.recorder is not None and self.recorder.result is None:
                self.emit(RecordingFinished(self.name, self.recorder.stop()))
            self.port.close()

    def _run_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            command(self)

    def process(self, frame: bytes) -> None:
        """Handle one frame from the caller (public for the benchmark's simulated time)."""
        self.frames_in += 1
        self.samples_in += len(frame) // SAMPLE_BYTES
        if self.detector is not None:
            for press in self.detector.feed(frame):
                counted = self.key_merger.heard(press.digit, press.at_sample, self.samples_in)
                log.debug("%s: key %s heard from sample %d at %d%s", self.name, press.digit,
                          press.at_sample, self.samples_in, "" if counted else ", paired")
                if counted:
                    self.emit(KeyDetected(self.name, press.digit))
        if self.recorder is not None:
            done = self.recorder.feed(frame)
            if done is not None:
                self.recorder = None
                self.emit(RecordingFinished(self.name, done))
        if self.forward_to is not None:
            self.forward_to.push(frame)

    def listen_for_keys(self, on: bool) -> None:
        """Start (afresh) or stop in-band key detection, on the call's media clock."""
        self.detector = DtmfDetector(self.fmt, start_sample=self.samples_in) if on else None

    def line_key(self, digit: str) -> None:
        """The line reported a key itself (an RFC 4733 event began): count it unless its
        tone was heard already."""
        counted = self.key_merger.line_key_started(digit, self.samples_in)
        log.debug("%s: key %s reported by the line at %d%s", self.name, digit, self.samples_in,
                  "" if counted else ", paired")
        if counted:
            self.emit(KeyDetected(self.name, digit, reported_by_line=True))

    def line_key_ended(self) -> None:
        """The line's key was released (the RFC 4733 event's end)."""
        self.key_merger.line_key_ended(self.samples_in)
        log.debug("%s: the line's key ended at %d", self.name, self.samples_in)

    def next_frame(self) -> bytes:
        """The frame the caller hears next (public for the benchmark's simulated time)."""
        if self.listen_from is not None:
            return self.listen_from.pop()
        frame, finished = self.player.next_frame()
        if finished is not None:
            self.emit(PromptFinished(self.name, finished))
        return frame

    def _fail(self, reason: str) -> None:
        self.failure = reason
        log.warning("%s: %s", self.name, reason)
        self.emit(PortFailed(self.name, reason))
