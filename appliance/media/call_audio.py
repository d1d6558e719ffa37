"""One call's audio as the exchange uses it, on the asyncio loop: play, music, keys, voicemail.

Every method returns at once or awaits an event from the audio thread;
none blocks the loop. When the voice port fails, `failed` is set and
every waiting method raises MediaStopped with the reason, so the desk can
make the call a callback instead of waiting on silence.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

from appliance.ports.call_sound import SoundStopped

from .media_channel import MediaChannel
from .media_events import KeyDetected, MediaEvent, PortFailed, PromptFinished, RecordingFinished
from .player import Clip, QueueFull
from .voicemail_recorder import Recording, RecordingRules, VoicemailRecorder

KEY_QUEUE = 16  # keys not yet read by the menu; a flood beyond is dropped (and counted)
STOP_TIMEOUT_S = 2.0
_names = itertools.count(1)


class MediaStopped(SoundStopped):
    """The call's audio stopped (port failed or closed) while something waited for it."""


class CallAudio:
    """The media channel of one call, driven from the loop."""

    def __init__(self, channel: MediaChannel) -> None:
        self.channel = channel
        self.keys: asyncio.Queue[str] = asyncio.Queue(KEY_QUEUE)
        self.keys_dropped = 0
        self.failed = asyncio.Event()
        self.failure = ""
        self._prompts: dict[str, asyncio.Future[None]] = {}
        self._recording: asyncio.Future[Recording] | None = None
        self.listeners: list[Callable[[MediaEvent], None]] = []

    @property
    def name(self) -> str:
        return self.channel.name

    # --- events from the audio thread (already on the loop) ---------------------------------

    def deliver(self, event: MediaEvent) -> None:
        if isinstance(event, KeyDetected):
            try:
                self.keys.put_nowait(event.digit)
            except asyncio.QueueFull:
                self.keys_dropped += 1
        elif isinstance(event, PromptFinished):
            future = self._prompts.pop(event.name, None)
            if future is not None and not future.done():
                future.set_result(None)
        elif isinstance(event, RecordingFinished):
            if self._recording is not None and not self._recording.done():
                self._recording.set_result(event.recording)
        elif isinstance(event, PortFailed):
            self._stopped(event.reason)
        for listener in self.listeners:
            listener(event)

    def _stopped(self, reason: str) -> None:
        self.failure = reason
        self.failed.set()
        error = MediaStopped(reason)
        for future in [*self._prompts.values(), self._recording]:
            if future is not None and not future.done():
                future.set_exception(error)
        self._prompts.clear()

    # --- commands ----------------------------------------------------------------------

    def _check(self) -> None:
        if self.failed.is_set():
            raise MediaStopped(self.failure)

    def announce(self, pcm: bytes, name: str | None = None) -> asyncio.Future[None]:
        """Queue an announcement; the future resolves when it has played."""
        self._check()
        name = name or f"clip-{next(_names)}"
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._prompts[name] = future
        clip = Clip(name, pcm)
        self.channel.send(lambda ch: _queue_clip(ch, clip))
        return future

    async def play(self, pcm: bytes, name: str | None = None) -> None:
        """Play an announcement and wait until the caller has heard all of it."""
        await self.announce(pcm, name)

    def cancel_announcements(self) -> None:
        """Stop what is being announced (a key was pressed)."""
        for future in self._prompts.values():
            if not future.done():
                future.cancel()
        self._prompts.clear()

        def cancel(ch: MediaChannel) -> None:
            ch.player.cancel_announcements()

        self.channel.send(cancel)

    def start_music(self, pcm: bytes) -> None:
        """Hold music between announcements, looping."""
        self._check()
        self.channel.send(lambda ch: ch.player.start_music(pcm))

    def stop_music(self) -> None:
        self.channel.send(lambda ch: ch.player.stop_music())

    def listen_for_keys(self, on: bool) -> None:
        """Turn in-band key detection on or off (off when the line reports keys itself)."""
        self.channel.send(lambda ch: ch.listen_for_keys(on))

    def line_key(self, digit: str) -> None:
        """A key the line reported itself (an RFC 4733 event): counted once, even when the
        phone also sent its tone in the audio."""
        if not self.channel.is_running:  # no audio thread to pair it in: it counts as it is
            self.deliver(KeyDetected(self.name, digit, reported_by_line=True))
            return
        self.channel.send(lambda ch: ch.line_key(digit))

    def line_key_ended(self) -> None:
        """The line's key was released (the RFC 4733 event ended)."""
        if self.channel.is_running:
            self.channel.send(lambda ch: ch.line_key_ended())

    async def record_voicemail(self, rules: RecordingRules | None = None, *,
                               beep: bytes | None = None) -> Recording:
        """Beep (if given), record until silence or the limit; the recording."""
        self._check()
        if beep is not None:
            await self.play(beep, "voicemail-beep")
        loop = asyncio.get_running_loop()
        self._recording = loop.create_future()
        recorder = VoicemailRecorder(self.channel.fmt, rules)

        def begin(ch: MediaChannel) -> None:
            ch.recorder = recorder

        self.channel.send(begin)
        try:
            return await self._recording
        finally:
            self._recording = None

    async def close(self) -> None:
        """Stop the audio thread and release the port (waits in a worker thread, not the loop)."""
        self.channel.stop()
        await asyncio.to_thread(self.channel.join, STOP_TIMEOUT_S)
        if not self.failed.is_set():
            self._stopped("closed")


def _queue_clip(channel: MediaChannel, clip: Clip) -> None:
    """In the audio thread: queue the clip; a full queue drops it (said as finished), the call
    goes on."""
    try:
        channel.player.announce(clip)
    except QueueFull:
        channel.emit(PromptFinished(channel.name, clip.name))
