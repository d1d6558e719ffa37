"""Replays of modem sessions published in manuals and peer projects (tests/gsm/transcripts/)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from appliance.gsm.pdu import SmsDeliver, decode_pdu
from appliance.spine.events import CallEnded, CallOffered, CallStateChanged

from .line_harness import Line, close_line, eventually, open_line
from .modem_socket import channel_pair

TRANSCRIPTS = Path(__file__).parent / "transcripts"


def _load(name: str) -> tuple[list[str], list[str]]:
    """(commands sent, lines received) of a transcript file."""
    sent, received = [], []
    for raw in (TRANSCRIPTS / name).read_text(encoding="utf-8").splitlines():
        if raw.startswith(">> "):
            sent.append(raw[3:])
        elif raw.startswith("<< "):
            received.append(raw[3:])
    return sent, received


async def _replay(tmp_path: Path, model: str, name: str) -> Line:
    """A line whose modem says exactly what the transcript says (no polls, no timers in the way)."""
    line = await open_line(tmp_path, model, clcc_poll_seconds=10.0, clip_wait_seconds=5.0)
    _, received = _load(name)
    for text in received:
        line.sim.urc(text)
    return line


async def test_sim7600_missed_call(tmp_path: Path) -> None:
    line = await _replay(tmp_path, "sim7600", "sim7600_missed_call.txt")
    try:
        ended = await line.log.wait_for(CallEnded)
        [offered] = line.log.of(CallOffered)
        assert (offered.number, offered.number_status) == ("08020866256", "valid")
        assert (ended.call_id, ended.outcome) == (offered.call_id, "missed")
    finally:
        await close_line(line)


async def test_sim7600_answered_call_with_clcc_urcs(tmp_path: Path) -> None:
    line = await _replay(tmp_path, "sim7600", "sim7600_answered_call.txt")
    try:
        ended = await line.log.wait_for(CallEnded)
        assert ended.outcome == "answered"
        states = [e.state for e in line.log.of(CallStateChanged)]
        assert states == ["incoming", "active", "ended"]
        assert len(line.log.of(CallEnded)) == 1  # VOICE CALL: END after +CLCC 6 ends nothing twice
    finally:
        await close_line(line)


async def test_sim7600_dialled_call_seen_through_urcs(tmp_path: Path) -> None:
    line = await _replay(tmp_path, "sim7600", "sim7600_dialled_call.txt")
    try:
        ended = await line.log.wait_for(CallEnded)
        assert ended.outcome == "answered"
        states = [(e.direction, e.state) for e in line.log.of(CallStateChanged)]
        assert states == [("out", "dialing"), ("out", "active"), ("out", "ended")]
    finally:
        await close_line(line)


async def test_ec25_ccinfo_minus_one_ends_the_call(tmp_path: Path) -> None:
    line = await _replay(tmp_path, "ec25", "ec25_ccinfo_dialled.txt")
    try:
        ended = await line.log.wait_for(CallEnded)
        assert ended.outcome == "failed"  # never answered
        assert [e.state for e in line.log.of(CallStateChanged)] == ["alerting", "ended"]
    finally:
        await close_line(line)


async def test_eg25_clip_without_ring_offers_the_call(tmp_path: Path) -> None:
    line = await _replay(tmp_path, "ec25", "eg25_clip_first.txt")
    try:
        offered = await line.log.wait_for(CallOffered)
        assert offered.number == "+358401234567"
        await eventually(lambda: line.driver.calls.ringing() is not None
                         and line.driver.calls.ringing().index == 1)  # type: ignore[union-attr]
        assert len(line.log.of(CallOffered)) == 1
    finally:
        await close_line(line)


async def test_cring_with_an_unknown_indicator_urc(tmp_path: Path) -> None:
    line = await _replay(tmp_path, "generic", "generic_cring_ciev.txt")
    try:
        offered = await line.log.wait_for(CallOffered)
        assert offered.number == "+0123456789"
        assert line.channel.garbage_lines == 1  # the +CIEV line, counted, nothing else
    finally:
        await close_line(line)


async def test_urc_inside_the_answer_to_chup_with_echo() -> None:
    channel, modem = await channel_pair()
    seen: list[str] = []
    channel.on(r"VOICE CALL: END", lambda text, _n: seen.append(text))
    [command], received = _load("sim7600_hangup_echo.txt")
    task = asyncio.ensure_future(channel.command(command))
    await modem.read_until(command.encode() + b"\r")
    echo, *rest = received
    await modem.send(echo.encode() + b"\r" + b"".join(f"\r\n{x}\r\n".encode() for x in rest))
    response = await task
    assert (response.lines, response.final) == ((), "OK")
    assert seen == ["VOICE CALL: END: 000008"]
    await channel.close()


async def test_cmgr_pdu_answer_decodes() -> None:
    channel, modem = await channel_pair()
    [command], received = _load("pdu_cmgr_ucs2.txt")
    task = asyncio.ensure_future(channel.command(command, prefix="+CMGR:"))
    await modem.read_until(command.encode() + b"\r")
    await modem.send(b"".join(f"\r\n{x}\r\n".encode() for x in received))
    response = await task
    assert response.values("+CMGR:") == ["1,,31"]
    message = decode_pdu(response.lines[1])
    assert isinstance(message, SmsDeliver)
    assert (message.sender.value, message.text) == ("+21435576082", "Привет")
    await channel.close()
