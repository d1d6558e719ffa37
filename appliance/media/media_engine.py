"""The media component beside the loop: opens a channel per call, bridges two, routes events.

Events from the audio threads reach the loop with `call_soon_threadsafe`
and are handed to the call's CallAudio and to `on_event` (the exchange's
listener). The engine holds no audio itself: each channel owns its port,
its player and its buffers, all bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from .call_audio import CallAudio
from .jitter_buffer import BufferFigures, JitterBuffer
from .media_channel import MediaChannel
from .media_events import MediaEvent
from .port_health import HealthRules
from .voice_port import VoicePort


class BridgeError(ValueError):
    """Two channels that cannot be joined (different formats, one stopped)."""


@dataclass
class Bridge:
    """Line A and line B joined through the box: one jitter buffer each way."""

    a: CallAudio
    b: CallAudio
    a_to_b: JitterBuffer
    b_to_a: JitterBuffer

    def figures(self) -> tuple[BufferFigures, BufferFigures]:
        """(A's voice towards B, B's voice towards A)."""
        return self.a_to_b.figures(), self.b_to_a.figures()


class MediaEngine:
    """Opens and joins call audio; lives on one asyncio loop."""

    def __init__(self, *, on_event: Callable[[MediaEvent], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 health: HealthRules | None = None) -> None:
        self.on_event = on_event
        self.clock = clock
        self.health = health
        self._calls: dict[str, CallAudio] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def calls(self) -> tuple[CallAudio, ...]:
        return tuple(self._calls.values())

    def open(self, name: str, port: VoicePort, *, detect_keys: bool = True) -> CallAudio:
        """Start the audio of a call on `port` (its thread runs until closed or the port fails)."""
        if name in self._calls:
            raise ValueError(f"call audio {name!r} is already open")
        self._loop = asyncio.get_running_loop()
        channel = MediaChannel(name, port, self._from_thread, clock=self.clock,
                               health=self.health, detect_keys=detect_keys)
        audio = CallAudio(channel)
        self._calls[name] = audio
        channel.start()
        return audio

    def _from_thread(self, event: MediaEvent) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._deliver, event)

    def _deliver(self, event: MediaEvent) -> None:
        audio = self._calls.get(event.channel)
        if audio is not None:
            audio.deliver(event)
        if self.on_event is not None:
            self.on_event(event)

    def bridge(self, a: CallAudio, b: CallAudio, *, guard_s: float = 0.010) -> Bridge:
        """Join two calls: each hears the other (announcements and music stop meanwhile)."""
        return bridge(a, b, self.clock, guard_s=guard_s)

    def unbridge(self, bridge: Bridge) -> None:
        """Separate the two calls (each gets its player back)."""
        unbridge(bridge)

    async def close(self, name: str) -> None:
        audio = self._calls.pop(name, None)
        if audio is not None:
            await audio.close()

    async def close_all(self) -> None:
        for name in list(self._calls):
            await self.close(name)


def bridge(a: CallAudio, b: CallAudio, clock: Callable[[], float] = time.monotonic, *,
           guard_s: float = 0.010) -> Bridge:
    """Join two calls, whichever engine opened them: each hears the other.

    Their players pause meanwhile (what they were playing waits, so stop the
    music and cancel announcements first where they must not come back).
    """
    if a.channel.fmt != b.channel.fmt:
        raise BridgeError(f"{a.name} is {a.channel.fmt.rate_hz} Hz, {b.name} "
                          f"{b.channel.fmt.rate_hz} Hz")
    for audio in (a, b):
        if audio.failed.is_set():
            raise BridgeError(f"{audio.name}: {audio.failure}")
    size = a.channel.fmt.frame_bytes
    frame_s = a.channel.fmt.frame_ms / 1000
    a_to_b = JitterBuffer(size, clock, frame_s=frame_s, guard_s=guard_s)
    b_to_a = JitterBuffer(size, clock, frame_s=frame_s, guard_s=guard_s)
    a.channel.send(lambda ch: _join(ch, a_to_b, b_to_a))
    b.channel.send(lambda ch: _join(ch, b_to_a, a_to_b))
    return Bridge(a, b, a_to_b, b_to_a)


def unbridge(joined: Bridge) -> None:
    """Separate two bridged calls (each gets its player back; a stopped one is left alone)."""
    for audio in (joined.a, joined.b):
        if not audio.failed.is_set():
            audio.channel.send(lambda ch: _join(ch, None, None))


def _join(channel: MediaChannel, out: JitterBuffer | None, into: JitterBuffer | None) -> None:
    channel.forward_to = out
    channel.listen_from = into
