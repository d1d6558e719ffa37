"""Fixtures for the media tests: the Debian tools they need, skipped with the package named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from appliance.media.pcm import NARROW_BAND
from appliance.media.speech_cache import SpeechCache


def needs(program: str, package: str) -> None:
    """Skip the test (saying which package to install) when `program` is missing."""
    if shutil.which(program) is None:
        pytest.skip(f"{program} is missing: apt-get install {package}")


@pytest.fixture
def speech(tmp_path: Path) -> SpeechCache:
    """A speech cache at 8 kHz in a fresh folder (needs espeak-ng and sox)."""
    needs("espeak-ng", "espeak-ng")
    needs("sox", "sox")
    return SpeechCache(tmp_path / "speech", NARROW_BAND)
