"""Property tests of the line reader: any bytes, any split, URCs mixed into responses."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.gsm.lines import PROMPT, LineSplitter

from .modem_socket import channel_pair

URCS = ["RING", '+CLIP: "+358401234567",145,,,,0', '+CMTI: "SM",7', "+CREG: 5",
        "NO CARRIER", "VOICE CALL: END: 000012", '+QIND: "ccinfo",1,1,6,0,0,"040",129',
        "+RXDTMF: 5", "MISSED_CALL: 10:15AM 0401234567", "+CPIN: READY"]
URC_PATTERNS = [r"RING$", r"\+CLIP:", r"\+CMTI:", r"\+CREG:", r"NO CARRIER$", r"VOICE CALL:",
                r'\+QIND: "ccinfo"', r"\+RXDTMF:", r"MISSED_CALL:", r"\+CPIN:"]
# noise that never ends a line and can never look like a result code
noise = st.binary(max_size=30).map(lambda b: b"#" + b.replace(b"\r", b"").replace(b"\n", b""))
item = st.one_of(st.sampled_from(URCS).map(lambda u: ("urc", u)), noise.map(lambda n: ("noise", n)))


def _splits(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    chunks, start = [], 0
    for point in [*points, len(data)]:
        chunks.append(data[start:point])
        start = point
    return [c for c in chunks if c]


@given(st.binary(max_size=2000), st.lists(st.integers(min_value=0, max_value=2000), max_size=40))
def test_random_bytes_never_break_the_splitter(data: bytes, cuts: list[int]) -> None:
    whole = LineSplitter().feed(data)
    splitter = LineSplitter()
    pieces = [x for chunk in _splits(data, cuts) for x in splitter.feed(chunk)]
    assert pieces == whole or len(data) > 4096  # how the bytes arrive changes nothing


@given(st.lists(item, max_size=12), st.lists(st.integers(min_value=0, max_value=3000), max_size=30),
       st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_urc_is_lost_in_a_response_split_anywhere(items: list[tuple[str, object]],
                                                    cuts: list[int], byte_by_byte: bool) -> None:
    asyncio.run(_interleaved(items, cuts, byte_by_byte))


async def _interleaved(items: list[tuple[str, object]], cuts: list[int],
                       byte_by_byte: bool) -> None:
    channel, modem = await channel_pair()
    got: list[str] = []
    for pattern in URC_PATTERNS:
        channel.on(pattern, lambda line, _n: got.append(line))
    task = asyncio.ensure_future(channel.command("AT+CLCC", prefix="+CLCC:"))
    await modem.read_until(b"AT+CLCC\r")
    stream = bytearray(b"AT+CLCC\r")  # echo on
    sent_urcs: list[str] = []
    for position, (kind, value) in enumerate(items):
        if kind == "urc":
            sent_urcs.append(str(value))
            stream += f"\r\n{value}\r\n".encode()
        else:
            assert isinstance(value, bytes)
            stream += b"\r\n" + value + b"\r\n"
        if position == len(items) // 2:
            stream += b'\r\n+CLCC: 1,1,4,0,0,"+358401234567",145\r\n'
    if not items:
        stream += b'\r\n+CLCC: 1,1,4,0,0,"+358401234567",145\r\n'
    stream += b"\r\nOK\r\n"
    chunks = [bytes([b]) for b in stream] if byte_by_byte else _splits(bytes(stream), cuts)
    for chunk in chunks:
        channel.feed(chunk)  # the reader's own entry point, one read at a time
    response = await task
    assert response.values("+CLCC:") == ['1,1,4,0,0,"+358401234567",145']
    assert got == sent_urcs
    await channel.close()
    modem.close()


def test_prompt_is_recognised_when_split() -> None:
    splitter = LineSplitter()
    splitter.expect_prompt = True
    assert splitter.feed(b"AT+CMGS=20\r\r\n>") == ["AT+CMGS=20"]
    assert splitter.feed(b" ") == [PROMPT]
    assert splitter.feed(b"\r\n+CMGS: 4\r\n") == ["+CMGS: 4"]


@given(st.binary(max_size=3000), st.lists(st.integers(min_value=0, max_value=3000), max_size=20))
@settings(max_examples=100, deadline=None)
def test_a_urc_after_any_garbage_is_still_heard(noise_bytes: bytes, cuts: list[int]) -> None:
    asyncio.run(_after_garbage(noise_bytes, cuts))


async def _after_garbage(noise_bytes: bytes, cuts: list[int]) -> None:
    channel, modem = await channel_pair()
    got: list[str] = []
    channel.on(r"\+CMTI:", lambda line, _n: got.append(line))
    for chunk in _splits(noise_bytes + b'\r\n+CMTI: "SM",99\r\n', cuts):
        channel.feed(chunk)
    assert got and got[-1] == '+CMTI: "SM",99'
    assert channel.is_open
    await channel.close()
    modem.close()
