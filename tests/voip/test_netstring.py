"""ctrl_tcp's netstring framing: split at any byte boundary, refuse garbage."""

from __future__ import annotations

import pytest

from appliance.voip.errors import ProtocolError
from appliance.voip.netstring import NetstringReader, encode


def test_round_trip_across_every_split_point() -> None:
    wire = encode({"event": True, "type": "CALL_INCOMING", "id": "a@b"}) + encode({"n": "ä"})
    for cut in range(len(wire) + 1):
        reader = NetstringReader()
        messages = reader.feed(wire[:cut]) + reader.feed(wire[cut:])
        assert messages == [{"event": True, "type": "CALL_INCOMING", "id": "a@b"}, {"n": "ä"}]


def test_length_prefix_is_the_body_length() -> None:
    wire = encode({"params": "sip:ääni@example"})
    length, _, rest = wire.partition(b":")
    assert int(length) == len(rest) - 1 and rest.endswith(b",")


@pytest.mark.parametrize("garbage", [b"x:{},", b"2:{}X", b"3:[1],", b"3:{x},", b"9" * 12])
def test_garbage_is_a_protocol_error(garbage: bytes) -> None:
    with pytest.raises(ProtocolError):
        NetstringReader().feed(garbage)
