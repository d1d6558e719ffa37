"""The bridge's buffer over a simulated ten-minute call: drift and jitter, no underruns."""

from __future__ import annotations

import random

import pytest

from appliance.media.jitter_buffer import JitterBuffer

FRAME_S = 0.02
FRAME = 320


def frame_of(n: int) -> bytes:
    return n.to_bytes(4, "little") * (FRAME // 4)


def simulate(ppm: float, jitter_s: float, seconds: float = 600.0) -> JitterBuffer:
    """Line A sends at its clock (off by `ppm`, each frame late by up to `jitter_s`); B pops."""
    now = [0.0]
    buffer = JitterBuffer(FRAME, lambda: now[0])
    rng = random.Random(5)
    period_a = FRAME_S * (1 + ppm / 1e6)
    arrivals = sorted((i * period_a + rng.uniform(0, jitter_s), i)
                      for i in range(int(seconds / period_a)))
    pops = [j * FRAME_S + 0.005 for j in range(int(seconds / FRAME_S))]
    events = sorted([(t, 0, i) for t, i in arrivals] + [(t, 1, 0) for t in pops])
    for t, kind, i in events:
        now[0] = t
        if kind == 0:
            buffer.push(frame_of(i))
        else:
            buffer.pop()
    return buffer


@pytest.mark.parametrize("ppm", [-100.0, 0.0, 100.0])
def test_ten_minutes_of_drift_and_jitter_without_underruns(ppm: float) -> None:
    figures = simulate(ppm, jitter_s=0.008).figures()
    assert figures.underruns == 0
    assert figures.overruns == 0
    assert figures.max_delay_s <= 0.045 and figures.mean_delay_s <= 0.030
    assert figures.adjustments <= 5  # 100 ppm over 600 s is 3 frames


def test_frames_come_out_in_order() -> None:
    now = [0.0]
    buffer = JitterBuffer(FRAME, lambda: now[0])
    for i in range(5):
        buffer.push(frame_of(i))
    now[0] = 0.02
    assert [buffer.pop() for _ in range(5)] == [frame_of(i) for i in range(5)]


def test_playing_waits_for_the_guard() -> None:
    now = [0.0]
    buffer = JitterBuffer(FRAME, lambda: now[0], guard_s=0.01)
    buffer.push(frame_of(1))
    now[0] = 0.005
    assert buffer.pop() == bytes(FRAME)
    now[0] = 0.011
    assert buffer.pop() == frame_of(1)


def test_a_missing_frame_is_concealed_and_counted() -> None:
    buffer = JitterBuffer(FRAME, lambda: 0.0, guard_s=0.0)
    loud = (1000).to_bytes(2, "little", signed=True) * (FRAME // 2)
    buffer.push(loud)
    assert buffer.pop() == loud
    concealed = buffer.pop()
    assert buffer.figures().underruns == 1
    assert concealed == (500).to_bytes(2, "little", signed=True) * (FRAME // 2)


def test_a_flood_is_bounded() -> None:
    buffer = JitterBuffer(FRAME, lambda: 0.0, capacity=4, guard_s=0.0)
    for i in range(10):
        buffer.push(frame_of(i))
    figures = buffer.figures()
    assert figures.depth == 4 and figures.overruns == 6
    assert buffer.pop() == frame_of(6)


def test_a_bridge_joined_while_one_side_talks_starts_without_the_backlog() -> None:
    now = [0.0]
    buffer = JitterBuffer(FRAME, lambda: now[0], guard_s=0.01)
    for i in range(6):  # line A talked for 120 ms before line B's thread took its first frame
        now[0] = i * FRAME_S
        buffer.push(frame_of(i))
    now[0] = 5 * FRAME_S + 0.005
    assert buffer.pop() == frame_of(4)  # the newest that waited the guard and a frame, at most
    figures = buffer.figures()
    assert figures.max_delay_s <= 0.035 and figures.adjustments == 4
