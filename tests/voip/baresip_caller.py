"""A customer's SIP phone for the tests: a second, real baresip that dials the box and listens.

What it hears is written as it arrives by baresip's `sndfile` module (the
decoded stream, `dump-<time>-dec.wav` in its folder); what it says is a
WAV file played by `aufile` (a key pressed as a tone, in-band; silence while
a key goes as an RFC 4733 event, which travels with RTP), else nothing.
Keys as RFC 4733 events go with the menu's `sndcode`. Driven over ctrl_tcp
with the box's own control client.
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import numpy as np

from appliance.voip.baresip_files import CONTROL_HOST, MODULE_DIR, BaresipFiles
from appliance.voip.baresip_process import BaresipProcess, free_loopback_port
from appliance.voip.control import BaresipControl
from tests.peers.binaries import require
from tests.voip.sip_peers import BARESIP, LOOPBACK, free_sip_port, rtp_range

RATE_HZ = 8000
QUIET = "aubridge,caller-quiet"  # a device nobody feeds: the caller says nothing, sends no RTP
# A key as an RFC 4733 event goes out with the call's RTP, so the caller "speaks" this much
# silence meanwhile. Short, so aufile has loaded it before its first end-of-file check (1 s).
SILENCE_S = 20.0


def _config(sip_port: int, control_port: int, dumps: Path) -> str:
    rtp_min, rtp_max = rtp_range()
    lines = [("poll_method", "epoll"), ("sip_listen", f"{LOOPBACK}:{sip_port}"),
             ("audio_player", "aubridge,caller-ears"), ("audio_source", QUIET),
             ("audio_alert", "aubridge,caller-ears"), ("rtp_ports", f"{rtp_min}-{rtp_max}"),
             ("module_path", MODULE_DIR), ("module", "g711.so"), ("module", "aufile.so"),
             ("module", "aubridge.so"), ("module", "sndfile.so"), ("snd_path", str(dumps)),
             ("module_app", "account.so"), ("module_app", "menu.so"),
             ("module_app", "ctrl_tcp.so"), ("ctrl_tcp_listen", f"{CONTROL_HOST}:{control_port}")]
    return "".join(f"{key}\t\t{value}\n" for key, value in lines)


class BaresipCaller:
    """One caller: `await start()`, `await dial(target)`, then press keys and read `heard()`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.dumps = folder / "heard"
        self.events: list[dict[str, Any]] = []
        self.process: BaresipProcess | None = None
        self.control: BaresipControl | None = None

    async def start(self) -> BaresipCaller:
        program = str(require(BARESIP))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.dumps.mkdir(exist_ok=True)
        sip_port = free_sip_port()
        control_port = free_loopback_port(avoid=frozenset({sip_port, sip_port + 1}))
        self.silence = write_tone_wav(self.folder / "silence.wav", b"", tail_s=SILENCE_S)
        (self.folder / "config").write_text(_config(sip_port, control_port, self.dumps))
        (self.folder / "accounts").write_text(
            f"<sip:+358401234567@{LOOPBACK}:{sip_port}>;regint=0\n")
        (self.folder / "contacts").write_text("")
        self.process = BaresipProcess(program, BaresipFiles(self.folder, control_port))
        self.control = await self.process.start(self.events.append)
        return self

    async def command(self, name: str, params: str = "") -> str:
        assert self.control is not None
        return await self.control.command(name, params)

    async def dial(self, target: str) -> None:
        await self.command("dial", f"sip:aspa@{target}")

    async def press_rfc4733(self, digit: str) -> None:
        """A key as an RFC 4733 telephone-event (what most SIP phones send), over silence."""
        await self.say(self.silence)
        await self.command("sndcode", digit)

    async def say(self, wav: Path) -> None:
        """Play a WAV into the call (a key pressed as a tone is heard in-band)."""
        await self.command("ausrc", f"aufile,{wav}")

    async def quiet(self) -> None:
        await self.command("ausrc", QUIET)

    async def hang_up(self) -> None:
        await self.command("hangup")

    def heard(self) -> np.ndarray:
        """Every sample the caller has heard so far (float, -1..1), read while it is written."""
        found = sorted(self.dumps.glob("dump-*-dec.wav"))
        if not found:
            return np.zeros(0)
        data = found[-1].read_bytes()
        start = data.find(b"data")
        if start < 0:
            return np.zeros(0)
        body = data[start + 8:]
        body = body[:len(body) // 2 * 2]
        return np.frombuffer(body, dtype="<i2").astype(np.float64) / 32768.0

    async def stop(self) -> None:
        if self.control is not None:
            await self.control.close()
        if self.process is not None:
            await self.process.stop()


def write_tone_wav(path: Path, pcm: bytes, tail_s: float = 4.0) -> Path:
    """8 kHz mono WAV of `pcm` followed by silence (aufile ends the call when it runs out)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE_HZ)
        out.writeframes(pcm + bytes(int(tail_s * RATE_HZ) * 2))
    return path


def _best_match(heard: np.ndarray, probe: np.ndarray) -> tuple[float, int]:
    """The best normalised cross-correlation of probe in heard, and where (FFT)."""
    size = 1 << int(np.ceil(np.log2(len(heard) + len(probe))))
    correlation = np.fft.irfft(np.fft.rfft(heard, size) * np.conj(np.fft.rfft(probe, size)),
                               size)[:len(heard) - len(probe) + 1]
    energy = np.concatenate(([0.0], np.cumsum(heard ** 2)))
    window = energy[len(probe):] - energy[:-len(probe)]
    scores = correlation / (np.sqrt(np.maximum(window, 1e-12)) * np.linalg.norm(probe))
    at = int(scores.argmax())
    return float(scores[at]), at


def heard_in(heard: np.ndarray, pcm: bytes, *, threshold: float = 0.8,
             piece_s: float = 0.5, share: float = 0.8) -> bool:
    """True when `pcm` (s16le) is in what was heard, through G.711 and RTP, by correlation.

    The sound passes μ-law coding (ITU-T G.711), a delay, and jitter buffers that may
    add or drop a frame on the way; so the sentence is cut in half-second pieces, and
    it counts as heard when most of its spoken pieces are found, in their order.
    """
    probe = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0
    if len(heard) < len(probe) or not probe.any():
        return False
    step = min(int(piece_s * RATE_HZ), len(probe))  # a short sound (the beep) is one piece
    pieces = [probe[i:i + step] for i in range(0, len(probe) - step + 1, step)]
    spoken = [p for p in pieces if np.sqrt(np.mean(p ** 2)) > 0.01]  # pauses match anything
    found, last = 0, -1
    for piece in spoken:
        score, at = _best_match(heard, piece)
        if score >= threshold and at > last:
            found, last = found + 1, at
    return bool(spoken) and found >= share * len(spoken)
