"""A call's sound through the box, as the exchange drives it (appliance.media.CallAudio).

Every method returns at once or awaits the audio thread; none blocks the
loop. `failed` is set when the voice port stops, and whatever waits then
raises, so the exchange can make the call a callback instead of waiting on
silence.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol


class SoundStopped(RuntimeError):
    """The call's sound stopped (voice port failed or closed) while something waited for it."""


class CallSound(Protocol):
    """Play, music, keys and a message, for one call."""

    keys: asyncio.Queue[str]
    failed: asyncio.Event
    failure: str

    async def play(self, pcm: bytes, name: str | None = None) -> None:
        """Play 8 kHz s16le mono PCM to the caller and wait until it has been heard."""

    def announce(self, pcm: bytes, name: str | None = None) -> asyncio.Future[None]:
        """Queue an announcement (it pauses the music); the future resolves when heard."""

    def start_music(self, pcm: bytes) -> None:
        """Loop hold music between announcements."""

    def stop_music(self) -> None:
        """Stop the hold music."""

    def cancel_announcements(self) -> None:
        """Stop what is being said (the caller pressed a key)."""

    def listen_for_keys(self, on: bool) -> None:
        """Detect keys in the call's sound (off when the line reports them itself)."""

    async def record_voicemail(self, rules: Any = None, *, beep: bytes | None = None) -> Any:
        """Beep, then record until silence or the limit; the recording (pcm, seconds, spoke)."""
