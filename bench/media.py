"""The media path's cost and delay: CPU per call, added latency when bridging, underruns.

Three parts, each against an anchor measured in the same run:

1. CPU per active call, over a 10-minute call in simulated time (30,000
   frames): the call's audio thread's work per frame (in-band key detection
   on the caller's noisy voice with some key presses, hold music with an
   announcement every 30 s, the port health check), as `process_time`.
   Anchor: a bare copy of the same frames (take the caller's frame, hand
   back an outgoing one). Printed as the share of one core per call.
2. A bridge (line A to line B) over a 10-minute call in simulated time:
   A's modem clock runs 80 ppm fast against B's and every frame arrives up
   to 8 ms late; underruns, drift adjustments and the delay the buffer
   adds, the latter also found by correlating a marker A's caller says
   every 10 s with what B's caller hears. Anchor: one frame (20 ms), the
   smallest hop any frame-based relay adds.
3. The same bridge in real time through two modem simulators' voice ptys,
   the real driver (AT+CPCMREG / AT+QPCMV) and the media threads, for
   `--real-seconds`: the measured delay from A's caller to B's caller.
   Anchor: the bare pty hop of one frame (write on the master, read on the
   slave) in the same run.
4. The hand-over as the exchange makes it (issue 15 item 6): a caller rings
   line A, which has learned the network refuses ECT; the exchange dials
   the agent on line B, and when they answer joins the two calls' sound
   while A's caller is already streaming. Markers both ways for
   `--real-seconds`: caller to agent and agent to caller. Same anchor.

Goals: <= 5 % of one core per call, <= 40 ms added latency, 0 underruns.

    .venv/bin/python -m bench.media [--minutes 10] [--real-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
import tty
from pathlib import Path

from appliance.media.hold_music import hold_music
from appliance.media.jitter_buffer import JitterBuffer
from appliance.media.media_channel import MediaChannel
from appliance.media.media_engine import MediaEngine
from appliance.media.pcm import NARROW_BAND
from appliance.media.player import Clip
from appliance.media.signal_level import find
from appliance.media.tones import dtmf, from_pcm, noise, to_pcm, tone
from bench.results import Row, record

FRAME_S = 0.02
GOAL_CORE_SHARE = 0.05
GOAL_LATENCY_S = 0.040


class NoPort:
    """A voice port stand-in for simulated time: the benchmark hands frames in itself."""

    name = "bench"
    fmt = NARROW_BAND

    def read_frame(self, timeout_s: float) -> bytes | None:
        return None

    def write_frame(self, frame: bytes) -> None:
        pass

    def close(self) -> None:
        pass


def caller_frames(seconds: float) -> list[bytes]:
    """A caller's side of a call: line noise, a key now and then, a spoken-level tone."""
    fmt = NARROW_BAND
    chunk = to_pcm(noise(10.0, level_dbfs=-45.0))
    voice = from_pcm(tone(220, 10.0, level_dbfs=-20.0)) * 0.5
    talk = to_pcm(from_pcm(chunk) + voice)
    keys = dtmf("1", 0.1) + bytes(fmt.byte_count(9.9))
    pattern = [chunk, talk, to_pcm(from_pcm(chunk) + from_pcm(keys))]
    pcm = b"".join(pattern[i % 3] for i in range(int(seconds / 10) + 1))
    return list(fmt.frames(pcm[: fmt.byte_count(seconds)]))


def cpu_per_call(minutes: float) -> tuple[float, float, int]:
    """(CPU s of the channel's work, CPU s of the bare copy, keys found) for one call."""
    frames = caller_frames(minutes * 60)
    announcement = tone(600, 3.0, level_dbfs=-12.0)
    keys = []
    channel = MediaChannel("bench", NoPort(), keys.append, clock=time.monotonic)
    channel.player.start_music(hold_music())
    every = int(30 / FRAME_S)
    start = time.process_time()
    for i, frame in enumerate(frames):
        if i % every == 0:
            channel.player.announce(Clip(f"a{i}", announcement))
        channel.health.frame(frame)
        channel.process(frame)
        channel.next_frame()
    work = time.process_time() - start
    out = [bytes(320)] * 4
    start = time.process_time()
    for i, frame in enumerate(frames):
        received = bytes(frame)  # what reading the port gives
        out[i % 4] = received  # what writing it back costs, no work between
    anchor = time.process_time() - start
    found = sum(1 for e in keys if type(e).__name__ == "KeyDetected")
    return work, anchor, found


def simulated_bridge(minutes: float, ppm: float = 80.0, jitter_s: float = 0.008) -> dict:
    """A 10-minute bridge in simulated time: figures of the buffer and the marker delay."""
    now = [0.0]
    buffer = JitterBuffer(NARROW_BAND.frame_bytes, lambda: now[0])
    a = MediaChannel("a", NoPort(), lambda e: None, detect_keys=False)
    b = MediaChannel("b", NoPort(), lambda e: None, detect_keys=False)
    a.forward_to, b.listen_from = buffer, buffer
    seconds = minutes * 60
    marker = tone(500, 0.1) + tone(1500, 0.1)
    said = bytearray()
    marker_at: list[int] = []
    quiet = to_pcm(noise(1.0, level_dbfs=-50.0, seed=3))
    rng = random.Random(11)
    period_a = FRAME_S * (1 + ppm / 1e6)
    n_a = int(seconds / period_a)
    source = bytearray()
    for _ in range(int(seconds / 10) + 1):
        marker_at.append(len(source))
        source += marker + quiet * 10
    frames_a = list(NARROW_BAND.frames(bytes(source[: n_a * NARROW_BAND.frame_bytes])))
    events = [(i * period_a + rng.uniform(0.0, jitter_s), 0, i) for i in range(len(frames_a))]
    events += [(j * FRAME_S + 0.003, 1, j) for j in range(int(seconds / FRAME_S))]
    events.sort()
    heard = bytearray()
    heard_time: list[float] = []
    sent_time: list[float] = [0.0] * len(frames_a)
    for t, kind, i in events:
        now[0] = t
        if kind == 0:
            sent_time[i] = i * period_a  # when A's modem had the frame (its own clock)
            said += frames_a[i]
            a.process(frames_a[i])
        else:
            heard_time.append(t)
            heard += b.next_frame()
    figures = buffer.figures()
    delays = []
    window = NARROW_BAND.byte_count(1.0)
    for at in marker_at[1:-1]:
        start = max(0, at - window)
        segment = bytes(heard[start:start + 3 * window])
        match = find(marker, segment)
        if match.correlation > 0.95:
            heard_offset = start + match.lag_samples * 2
            sent = sent_time[at // NARROW_BAND.frame_bytes] + (
                (at % NARROW_BAND.frame_bytes) / 2 / 8000)
            frame_index = heard_offset // NARROW_BAND.frame_bytes
            played = frame_index * FRAME_S + 0.003 + (
                (heard_offset % NARROW_BAND.frame_bytes) / 2 / 8000)
            delays.append(played - sent)
    return {"figures": figures, "delays": delays}


async def pty_hop(rounds: int = 500) -> float:
    master, slave = os.openpty()
    tty.setraw(slave)
    samples = []
    try:
        for _ in range(rounds):
            start = time.perf_counter()
            os.write(master, bytes(320))
            got = 0
            while got < 320:
                got += len(os.read(slave, 4096))
            samples.append(time.perf_counter() - start)
    finally:
        os.close(master)
        os.close(slave)
    return statistics.median(samples)


async def real_bridge(seconds: float) -> dict:
    """Two simulated modems bridged through the box in real time."""
    from tests.gsm.voice_harness import answered_call, hang_up

    engine = MediaEngine()
    tmp = Path(tempfile.mkdtemp(prefix="aspa-bench-media-"))
    a = await answered_call(tmp / "a", "sim7600", engine, "gsm-a")
    b = await answered_call(tmp / "b", "ec25", engine, "gsm-b")
    delays = []
    try:
        bridge = engine.bridge(a.audio, b.audio)
        await asyncio.sleep(0.5)
        marker = tone(500, 0.1) + tone(1500, 0.1)
        rounds = max(1, int(seconds / 2))
        for _ in range(rounds):
            start = len(a.caller.said) + len(a.caller._uplink) * NARROW_BAND.frame_bytes
            heard_before = len(b.caller.heard)
            a.caller.speak(marker)
            await asyncio.sleep(2.0)
            segment = bytes(b.caller.heard[heard_before:])
            match = find(marker, segment)
            if match.correlation > 0.95:
                delays.append(b.caller.heard_time(heard_before + match.lag_samples * 2)
                              - a.caller.said_time(start))
        a_to_b, b_to_a = bridge.figures()
        cpu = a.audio.channel, b.audio.channel
    finally:
        await hang_up(a, engine)
        await hang_up(b, engine)
    return {"delays": delays, "a_to_b": a_to_b, "b_to_a": b_to_a,
            "cpu": [c.cpu_seconds for c in cpu]}


async def exchange_bridge(seconds: float) -> dict:
    """A caller on line A handed to an agent on line B by the exchange, in real time."""
    from appliance.queue.call_commands import Prompt
    from appliance.queue.call_setup import FlowRules
    from appliance.queue.connect_methods import ConnectKnowledge, ConnectMethod
    from appliance.spine.events import CallAnswered, CallOffered
    from tests.calls.exchange_harness import (
        AGENT_PHONES,
        CALLER,
        add_line,
        quick_group,
        start_exchange,
        stop_exchange,
    )

    tmp = Path(tempfile.mkdtemp(prefix="aspa-bench-exchange-"))
    rules = FlowRules(prompts=frozenset(Prompt) - {Prompt.GREETING}, keypad_menu=False)
    running = await start_exchange(tmp, model="sim7600", sound=True, rules=rules,
                                   group=quick_group(ring_timeout_s=30.0, max_wait_s=600))
    running.sim.network_rejects.add("ect")
    running.line.restore(ConnectKnowledge(refused=frozenset({ConnectMethod.ECT})))
    second = await add_line(running, tmp, "gsm1", model="sim7600", sound=True)
    delays: dict[str, list[float]] = {"caller -> agent": [], "agent -> caller": []}
    try:
        await running.sim.incoming_call(CALLER)
        offered = await running.log.wait_for(CallOffered, within=30)
        await second.sim.wait_for_command(f"ATD{AGENT_PHONES[0]};", within=30)
        await second.sim.remote_answers()
        await running.log.wait_for(CallAnswered, within=30)
        bridges = running.exchange.bridges
        await running.until(lambda: bridges.joined(offered.call_id) is not None, 30)
        marker = tone(500, 0.1) + tone(1500, 0.1)
        caller, agent = running.sim.caller, second.sim.caller
        for _ in range(max(1, int(seconds / 4))):
            for name, speaker, listener in (("caller -> agent", caller, agent),
                                            ("agent -> caller", agent, caller)):
                heard_before = len(listener.heard)
                start = speaker.speak(marker)
                await asyncio.sleep(2.0)
                match = find(marker, bytes(listener.heard[heard_before:]))
                if match.correlation > 0.95:
                    delays[name].append(listener.heard_time(heard_before + match.lag_samples * 2)
                                        - speaker.said_time(start))
        joined = bridges.joined(offered.call_id)
        assert joined is not None
        a_to_b, b_to_a = joined.figures()
    finally:
        await second.stop()
        await stop_exchange(running)
    return {"delays": delays, "a_to_b": a_to_b, "b_to_a": b_to_a}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--real-seconds", type=float, default=20.0)
    args = parser.parse_args()
    call_s = args.minutes * 60

    work, anchor, keys = cpu_per_call(args.minutes)
    share = work / call_s
    print(f"1. CPU per call over {args.minutes:g} simulated minutes ({int(call_s / FRAME_S)} "
          f"frames; {keys} keys found)")
    print(f"   anchor, bare copy of the frames: {anchor * 1000:.1f} ms "
          f"({anchor / call_s * 100:.3f} % of a core)")
    print(f"   channel work (keys, music, announcements, health): {work * 1000:.0f} ms = "
          f"{work / (call_s / FRAME_S) * 1e6:.1f} us/frame = {share * 100:.2f} % of one core; "
          f"{work / max(anchor, 1e-9):.0f}x the anchor")

    bridge = simulated_bridge(args.minutes)
    figures, delays = bridge["figures"], bridge["delays"]
    print(f"2. Bridge, {args.minutes:g} simulated minutes, A +80 ppm, arrival jitter 0-8 ms")
    print(f"   underruns {figures.underruns}, overruns {figures.overruns}, drift adjustments "
          f"{figures.adjustments}; buffer delay mean {figures.mean_delay_s * 1000:.1f} ms, "
          f"max {figures.max_delay_s * 1000:.1f} ms")
    if delays:
        print(f"   marker A->B ({len(delays)} found): median {statistics.median(delays) * 1000:.1f}"
              f" ms, max {max(delays) * 1000:.1f} ms = {statistics.median(delays) / FRAME_S:.2f}"
              f" frames (anchor: one frame, 20 ms)")

    real = asyncio.run(real_bridge(args.real_seconds)) if args.real_seconds > 0 else None
    hop = asyncio.run(pty_hop())
    if real is not None:
        rd = real["delays"]
        print(f"3. Bridge in real time through two simulators, {args.real_seconds:g} s")
        print(f"   anchor, bare pty hop of one frame: {hop * 1e6:.0f} us")
        if rd:
            print(f"   caller A -> caller B ({len(rd)} markers): median "
                  f"{statistics.median(rd) * 1000:.1f} ms, max {max(rd) * 1000:.1f} ms "
                  f"({statistics.median(rd) / hop:.0f}x the pty hop)")
        span = args.real_seconds + 1.0
        print(f"   underruns A->B {real['a_to_b'].underruns}, B->A {real['b_to_a'].underruns}; "
              f"audio thread CPU with the serial I/O {', '.join(f'{c:.2f} s' for c in real['cpu'])}"
              f" (~{max(real['cpu']) / span * 100:.1f} % of a core per call)")
    handed = (asyncio.run(exchange_bridge(args.real_seconds)) if args.real_seconds > 0
              else None)
    if handed is not None:
        print(f"4. The exchange's hand-over: caller on A, agent dialled on B, sound joined "
              f"mid-stream, {args.real_seconds:g} s")
        for name, found in handed["delays"].items():
            if found:
                print(f"   {name} ({len(found)} markers): median "
                      f"{statistics.median(found) * 1000:.1f} ms, max {max(found) * 1000:.1f} ms"
                      f" ({statistics.median(found) / hop:.0f}x the pty hop)")
        print(f"   underruns A->B {handed['a_to_b'].underruns}, B->A "
              f"{handed['b_to_a'].underruns}; buffer delay mean "
              f"{handed['a_to_b'].mean_delay_s * 1000:.1f} / "
              f"{handed['b_to_a'].mean_delay_s * 1000:.1f} ms; adjustments "
              f"{handed['a_to_b'].adjustments} / {handed['b_to_a'].adjustments}")
    latency = max(delays) if delays else float("inf")
    if handed is not None:
        latency = max([latency, *(d for found in handed["delays"].values() for d in found)])
    underruns = figures.underruns + (real["a_to_b"].underruns + real["b_to_a"].underruns
                                     if real else 0)
    if handed is not None:
        underruns += handed["a_to_b"].underruns + handed["b_to_a"].underruns
    cpu_met = "met" if share <= GOAL_CORE_SHARE else "NOT met"
    print(f"Goals: CPU {share * 100:.2f} % <= 5 %: {cpu_met}; "
          f"added latency {latency * 1000:.1f} ms <= 40 ms: "
          f"{'met' if latency <= GOAL_LATENCY_S else 'NOT met'}; underruns {underruns}: "
          f"{'met' if underruns == 0 else 'NOT met'}")
    record([
        Row("call audio: CPU per call (simulated 10 min)", f"<= {GOAL_CORE_SHARE:.0%} of a core",
            "bare copy of the same frames", f"{share * 100:.2f} % of a core",
            share / GOAL_CORE_SHARE, share <= GOAL_CORE_SHARE),
        Row("call audio: added latency (worst)", f"<= {GOAL_LATENCY_S * 1000:.0f} ms, 0 underruns",
            "one 20 ms frame", f"{latency * 1000:.1f} ms, {underruns} underruns",
            latency / 0.020, latency <= GOAL_LATENCY_S and underruns == 0),
    ])


if __name__ == "__main__":
    main()
