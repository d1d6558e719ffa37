"""The JACK voice port on a real jackd (dummy driver): frames both ways, bounded buffers, a
server that dies. Two of the box's ports are joined to each other in place of baresip's."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from appliance.media.pcm import NARROW_BAND
from appliance.media.voice_port import VoicePortError
from appliance.voip.jack_server import JackServer
from appliance.voip.jack_voice_port import IN_FRAMES, JackVoicePort
from tests.peers.binaries import PeerProgram, require

JACKD = PeerProgram("jackd", "jackd2")
FRAME = NARROW_BAND.frame_bytes


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[JackServer]:
    jack = JackServer(str(require(JACKD)), f"aspa-test-{os.getpid()}-{id(tmp_path)}",
                      tmp_path / "jackd.log")
    await jack.start()
    yield jack
    await jack.stop()


@pytest.fixture
async def pair(server: JackServer) -> AsyncIterator[tuple[JackVoicePort, JackVoicePort]]:
    """Two ports, each one's voice the other's ears (as baresip's player and source are)."""
    a = await asyncio.to_thread(JackVoicePort, server.server_name, "a")
    b = await asyncio.to_thread(JackVoicePort, server.server_name, "b")
    a.connect(f"{b.client.name}:to_call", f"{b.client.name}:from_call")  # both directions
    yield a, b
    a.close()
    b.close()


def _frame(n: int) -> bytes:
    return bytes([n % 200 + 1, 0]) * (FRAME // 2)  # small positive samples: exact in float


def _read_until(port: JackVoicePort, wanted: Callable[[bytes], bool], frames: int) -> bool:
    for _ in range(frames):
        frame = port.read_frame(0.5)
        if frame is not None and wanted(frame):
            return True
    return False


async def test_a_frame_written_on_one_side_is_read_unchanged_on_the_other(
        pair: tuple[JackVoicePort, JackVoicePort]) -> None:
    a, b = pair

    def talk() -> bool:
        for n in range(50):
            a.write_frame(_frame(n))
            if a.read_frame(0.5) is None:  # paced by the server, as the media channel is
                return False
        return True

    sent, found = await asyncio.gather(asyncio.to_thread(talk), asyncio.to_thread(
        _read_until, b, lambda f: f == _frame(10), 80))
    assert sent and found


async def test_a_reader_that_falls_behind_loses_the_oldest_frames_not_the_server(
        pair: tuple[JackVoicePort, JackVoicePort]) -> None:
    _, b = pair
    await asyncio.sleep(0.6)  # 30 cycles with nobody reading b
    assert b.overruns >= 10
    waiting = 0
    while b.read_frame(0.0) is not None:
        waiting += 1
    assert waiting <= IN_FRAMES


async def test_a_writer_that_says_nothing_gives_silence_and_counts_underruns(
        pair: tuple[JackVoicePort, JackVoicePort]) -> None:
    a, b = pair
    await asyncio.sleep(0.3)
    assert a.underruns >= 5
    frame = await asyncio.to_thread(b.read_frame, 0.5)
    assert frame == NARROW_BAND.silence()


async def test_the_server_stopping_fails_the_port_instead_of_hanging(
        server: JackServer, pair: tuple[JackVoicePort, JackVoicePort]) -> None:
    a, _ = pair
    await server.stop()

    def read_until_failed() -> str:
        for _ in range(100):
            try:
                a.read_frame(0.1)
            except VoicePortError as error:
                return str(error)
        return ""

    assert await asyncio.to_thread(read_until_failed)
