"""A VoIP call's sound through the box (voip.call_sound = "box"), in real time on a real jackd.

Each call is two JACK clients on the line's JACK server (dummy driver, 8 kHz, 20 ms cycles):
the box's port (`JackVoicePort`) and a stand-in for baresip's jack source and player (another
`JackVoicePort`, whose thread says the caller's frames, paced by JACK as baresip's are).

1. CPU per call over `--seconds`: the whole process's CPU (JACK's threads, the media
   channel's thread with key detection, hold music and an announcement every 10 s, the
   stand-in's thread) divided by the seconds, and jackd's own CPU (shared by every call of
   the line). Anchor, same run: the same clients with a bare copy (read the caller's frame,
   write one back) in place of the media channel.
2. Delay through the box: two calls joined by the media engine (caller 1 -> box -> caller 2),
   a marker every 2 s found in what caller 2 hears. Anchor: the same marker over a direct
   JACK connection between the two stand-ins (one JACK hop).
3. Underruns and overruns of the box's ports over the runs.

Goals (issue 15): <= 5 % of one core per call, <= 40 ms added, 0 underruns.

    .venv/bin/python -m bench.voip_sound [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from appliance.media.hold_music import hold_music
from appliance.media.media_engine import MediaEngine
from appliance.media.pcm import NARROW_BAND
from appliance.media.signal_level import find
from appliance.media.tones import from_pcm, noise, to_pcm, tone
from appliance.voip.jack_server import JackServer
from appliance.voip.jack_voice_port import JackVoicePort

FRAME = NARROW_BAND.frame_bytes
MARKER = tone(500, 0.1) + tone(1500, 0.1)


class Caller:
    """The stand-in for baresip's side of one call: says `saying` (looped), keeps what it hears."""

    def __init__(self, server: str, name: str, saying: bytes) -> None:
        self.port = JackVoicePort(server, name)
        self.frames = list(NARROW_BAND.frames(saying))
        self.heard = bytearray()
        self.heard_at: list[float] = []  # time each heard frame was read
        self.said_at: list[float] = []  # time each said frame was written
        self.marks: list[int] = []  # frame numbers a marker was said at
        self._mark = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def mark(self) -> None:
        self._mark = True

    def _run(self) -> None:
        n, marker = 0, list(NARROW_BAND.frames(MARKER))
        pending: list[bytes] = []
        while not self._stop.is_set():
            frame = self.port.read_frame(0.5)
            if frame is None:
                continue
            self.heard += frame
            self.heard_at.append(time.monotonic())
            if self._mark:
                self._mark, pending = False, list(marker)
                self.marks.append(len(self.said_at))
            self.port.write_frame(pending.pop(0) if pending else self.frames[n % len(self.frames)])
            self.said_at.append(time.monotonic())
            n += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        self.port.close()


def _copy(port: JackVoicePort, stop: threading.Event) -> None:
    while not stop.is_set():
        frame = port.read_frame(0.5)
        if frame is not None:
            port.write_frame(frame)


def _jack_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _voice() -> bytes:
    talk = from_pcm(tone(220, 10.0, level_dbfs=-20.0)) * 0.5
    return to_pcm(from_pcm(to_pcm(noise(10.0, level_dbfs=-45.0))) + talk)


async def cpu_per_call(server: JackServer, seconds: float, *, box: bool) -> dict[str, float]:
    """CPU shares of one call for `seconds`: the box's channel (box) or a bare copy."""
    assert server.process is not None
    line = JackVoicePort(server.server_name, "box")
    caller = Caller(server.server_name, "caller", _voice())
    line.connect(f"{caller.port.client.name}:to_call", f"{caller.port.client.name}:from_call")
    engine, stop = MediaEngine(), threading.Event()
    copier = threading.Thread(target=_copy, args=(line, stop), daemon=True)
    jack0, cpu0 = _jack_cpu(server.process.pid), time.process_time()
    caller.start()
    if box:
        audio = engine.open("bench", line)
        audio.start_music(hold_music())
        for _ in range(int(seconds / 10)):
            audio.announce(tone(600, 3.0, level_dbfs=-12.0))
            await asyncio.sleep(10.0)
        await asyncio.sleep(seconds % 10)
    else:
        copier.start()
        await asyncio.sleep(seconds)
    cpu, jack = time.process_time() - cpu0, _jack_cpu(server.process.pid) - jack0
    figures = {"process": cpu / seconds, "jackd": jack / seconds,
               "underruns": float(line.underruns), "overruns": float(line.overruns)}
    stop.set()
    await engine.close_all()
    copier.join(1.0) if copier.is_alive() else None
    line.close()
    caller.stop()
    return figures


async def marker_delays(server: JackServer, seconds: float, *, through_box: bool) -> dict:
    """Caller 1's markers as caller 2 hears them: through two box ports bridged, or direct."""
    name = server.server_name
    one, two = Caller(name, "caller-1", bytes(FRAME)), Caller(name, "caller-2", bytes(FRAME))
    engine, ports = MediaEngine(), []
    if through_box:
        ports = [JackVoicePort(name, "box-1"), JackVoicePort(name, "box-2")]
        for port, caller in zip(ports, (one, two), strict=True):
            port.connect(f"{caller.port.client.name}:to_call",
                         f"{caller.port.client.name}:from_call")
        engine.bridge(engine.open("box-1", ports[0]), engine.open("box-2", ports[1]))
    else:
        one.port.connect(f"{two.port.client.name}:to_call", f"{two.port.client.name}:from_call")
    one.start()
    two.start()
    await asyncio.sleep(0.5)
    for _ in range(max(1, int(seconds / 2))):
        one.mark()
        await asyncio.sleep(2.0)
    delays = []
    heard = bytes(two.heard)
    for frame_no in one.marks:
        said = one.said_at[frame_no]
        first = next((i for i, t in enumerate(two.heard_at) if t >= said - 0.1), None)
        if first is None:
            continue
        segment = heard[first * FRAME:(first + 100) * FRAME]
        match = find(MARKER, segment)
        if match.correlation > 0.9:
            heard_frame = first + match.lag_samples * 2 // FRAME
            if heard_frame < len(two.heard_at):
                delays.append(two.heard_at[heard_frame] - said)
    underruns = sum(p.underruns for p in ports)
    await engine.close_all()
    for caller in (one, two):
        caller.stop()
    return {"delays": delays, "underruns": underruns}


async def run(seconds: float) -> None:
    jackd = shutil.which("jackd")
    if jackd is None:
        raise SystemExit("jackd not found: apt-get install -y jackd2")
    folder = Path(tempfile.mkdtemp(prefix="aspa-bench-voip-"))
    server = JackServer(jackd, f"aspa-bench-{os.getpid()}", folder / "jackd.log")
    await server.start()
    try:
        copy = await cpu_per_call(server, seconds, box=False)
        box = await cpu_per_call(server, seconds, box=True)
        print(f"1. CPU per call over {seconds:g} s (share of one core)")
        print(f"   anchor, bare copy through JACK: process {copy['process'] * 100:.2f} %, "
              f"jackd {copy['jackd'] * 100:.2f} %")
        print(f"   the box's channel (keys, music, announcements): process "
              f"{box['process'] * 100:.2f} %, jackd {box['jackd'] * 100:.2f} %; "
              f"{box['process'] / max(copy['process'], 1e-9):.1f}x the anchor")
        direct = await marker_delays(server, seconds, through_box=False)
        joined = await marker_delays(server, seconds, through_box=True)
        print(f"2. Marker delay caller 1 -> caller 2 over {seconds:g} s")
        for label, found in (("anchor, one direct JACK hop", direct["delays"]),
                             ("through the box (two ports, bridged)", joined["delays"])):
            if found:
                print(f"   {label} ({len(found)} markers): median "
                      f"{statistics.median(found) * 1000:.1f} ms, max {max(found) * 1000:.1f} ms")
        if direct["delays"] and joined["delays"]:
            added = statistics.median(joined["delays"]) - statistics.median(direct["delays"])
            print(f"   added by the box: {added * 1000:.1f} ms (goal <= 40 ms)")
        print(f"3. Underruns of the box's ports: single call {box['underruns']:.0f} "
              f"(overruns {box['overruns']:.0f}), bridged calls {joined['underruns']}")
    finally:
        await server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    asyncio.run(run(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
