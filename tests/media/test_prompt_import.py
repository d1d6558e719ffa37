"""Uploaded prompts: any common format becomes the line's PCM; bad uploads keep the old prompt."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from appliance.media import prompt_import
from appliance.media.pcm import NARROW_BAND, WIDE_BAND
from appliance.media.prompt_import import PromptFileError, import_prompt, read_wav
from appliance.media.signal_level import find
from appliance.media.tones import tone

from .conftest import needs


@pytest.fixture(autouse=True)
def _sox() -> None:
    needs("sox", "sox libsox-fmt-all")


def make(path: Path, seconds: float = 1.0, rate: int = 44100, channels: int = 2) -> Path:
    """A file in `path`'s format (by extension): a 440 Hz tone, made by sox."""
    subprocess.run(["sox", "-n", "-r", str(rate), "-c", str(channels), str(path), "synth",
                    str(seconds), "sine", "440", "vol", "0.5"], check=True)
    return path


@pytest.mark.parametrize("suffix", [".wav", ".mp3", ".ogg", ".flac", ".aiff"])
def test_common_formats_become_the_lines_pcm(tmp_path: Path, suffix: str) -> None:
    source = make(tmp_path / f"greeting{suffix}", 1.0)
    result = import_prompt(source, tmp_path / "prompts" / "greeting.wav", NARROW_BAND)
    pcm = read_wav(result.path, NARROW_BAND)
    assert abs(result.seconds - 1.0) < 0.1
    assert find(tone(440, 0.2), pcm).correlation > 0.95


def test_wide_band_line_gets_16_khz(tmp_path: Path) -> None:
    source = make(tmp_path / "a.wav", 0.5, rate=8000, channels=1)
    result = import_prompt(source, tmp_path / "a16.wav", WIDE_BAND)
    assert len(read_wav(result.path, WIDE_BAND)) == WIDE_BAND.byte_count(0.5)


def test_a_corrupt_upload_is_refused_and_the_old_prompt_kept(tmp_path: Path) -> None:
    target = tmp_path / "greeting.wav"
    import_prompt(make(tmp_path / "old.wav"), target, NARROW_BAND)
    before = target.read_bytes()
    corrupt = tmp_path / "new.mp3"
    corrupt.write_bytes(b"ID3\x03\x00" + bytes(range(256)) * 40)
    bogus = tmp_path / "notes.txt"
    bogus.write_text("this is not sound")
    for bad in (corrupt, bogus):
        with pytest.raises(PromptFileError) as caught:
            import_prompt(bad, target, NARROW_BAND)
        assert bad.name in str(caught.value)
    assert target.read_bytes() == before


def test_empty_and_huge_uploads_are_refused(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(PromptFileError, match="empty"):
        import_prompt(empty, tmp_path / "x.wav", NARROW_BAND)
    monkeypatch.setattr(prompt_import, "MAX_UPLOAD_BYTES", 10_000)
    with pytest.raises(PromptFileError, match="too large"):
        import_prompt(make(tmp_path / "big.wav", 2.0), tmp_path / "x.wav", NARROW_BAND)


def test_too_long_a_recording_is_refused(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prompt_import, "MAX_PROMPT_SECONDS", 1.0)
    with pytest.raises(PromptFileError, match="too long"):
        import_prompt(make(tmp_path / "long.flac", 3.0), tmp_path / "x.wav", NARROW_BAND)
