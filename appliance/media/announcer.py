"""Queue announcements ready before anyone waits: every piece rendered at start, joined on demand.

`prepare()` (blocking: run it in a thread at start or when the speech
settings change) renders each language's pieces through the speech cache;
afterwards `position()` and `expected_wait()` only join PCM already in
memory, so announcing "number 3" costs microseconds and no engine run.
"""

from __future__ import annotations

from collections.abc import Iterable

from .pcm import PcmFormat
from .queue_phrases import assemble, pieces, position_keys, wait_keys
from .speech_cache import SpeechCache


class NotPrepared(LookupError):
    """The announcements of a language were not rendered before use."""


class Announcer:
    """Position and wait announcements of one line format, in each prepared language."""

    def __init__(self, cache: SpeechCache) -> None:
        self.cache = cache
        self._rendered: dict[str, dict[str, bytes]] = {}

    @property
    def fmt(self) -> PcmFormat:
        return self.cache.fmt

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._rendered)

    def prepare(self, languages: Iterable[str]) -> None:
        """Render (or load from the cache) every piece of these languages."""
        for language in languages:
            self._rendered[language] = {key: self.cache.speak(text, language)
                                        for key, text in pieces(language).items()}

    def position(self, language: str, position: int) -> bytes:
        """'You are number N in the queue.' as PCM."""
        return assemble(position_keys(language, position), self._pieces(language), self.fmt)

    def expected_wait(self, language: str, wait_seconds: float) -> bytes:
        """'The expected wait is N minutes.' as PCM."""
        return assemble(wait_keys(language, wait_seconds), self._pieces(language), self.fmt)

    def _pieces(self, language: str) -> dict[str, bytes]:
        found = self._rendered.get(language)
        if found is None:
            raise NotPrepared(f"announcements in {language!r} were not prepared")
        return found
