"""Properties of the codec: garbage is only ever a PduError; every text survives the round trip."""

from __future__ import annotations

import contextlib
import json
import random
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.gsm.gsm7 import BASIC_TABLE, EXTENSION_TABLE
from appliance.gsm.pdu import (
    PduError,
    SmsDeliver,
    SmsSubmit,
    decode_pdu,
    encode_deliver,
    encode_submit,
)
from appliance.gsm.sms_reassembly import SmsReassembler, join_parts
from appliance.gsm.sms_user_data import MAX_OCTETS

_VECTORS = json.loads(
    (Path(__file__).parent / "vectors" / "sms_pdus.json").read_text(encoding="utf-8")
)
_GOOD = [
    bytes.fromhex(v["pdu"]) for k in ("deliver", "submit", "status_report") for v in _VECTORS[k]
]
_GSM7_CHARS = [c for c in BASIC_TABLE if c != "\x1b"] + list(EXTENSION_TABLE.values())
_ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=500)
_GSM7_TEXT = st.text(st.sampled_from(_GSM7_CHARS), max_size=700)
_SENT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _submit(pdu: str) -> SmsSubmit:
    message = decode_pdu(pdu)
    assert isinstance(message, SmsSubmit)
    return message


def _decodes_or_pdu_error(data: bytes, with_smsc: bool) -> None:
    with contextlib.suppress(PduError):
        decode_pdu(data.hex(), with_smsc=with_smsc)


@given(st.binary(max_size=200), st.booleans())
def test_random_octets_raise_nothing_but_pdu_error(data: bytes, with_smsc: bool) -> None:
    _decodes_or_pdu_error(data, with_smsc)


@given(st.sampled_from(_GOOD), st.integers(0, 10_000), st.integers(0, 255), st.binary(max_size=8))
def test_damaged_real_pdus_raise_nothing_but_pdu_error(
    pdu: bytes, where: int, value: int, tail: bytes
) -> None:
    # Random bytes rarely get past the first fields; damaging real PDUs reaches the deep ones.
    index = where % len(pdu)
    damaged = pdu[:index] + bytes([value]) + pdu[index + 1 :]
    _decodes_or_pdu_error(damaged, True)
    _decodes_or_pdu_error(damaged[: where % (len(pdu) + 1)] + tail, True)


@given(st.one_of(_ANY_TEXT, _GSM7_TEXT), st.integers(0, 255))
@settings(max_examples=200)
def test_submit_round_trips_any_text(text: str, reference: int) -> None:
    parts = encode_submit("+358401234567", text, concat_reference=reference)
    decoded = [_submit(part.pdu) for part in parts]
    assert join_parts([m.user_data for m in decoded]) == text
    for part in parts:
        assert part.tpdu_length == len(part.pdu) // 2 - 1
        # first octet, MR, 12-digit number (8), PID, DCS, UDL, then at most 140 octets
        assert part.tpdu_length <= 13 + MAX_OCTETS
    expected = [(reference, len(parts), n) for n in range(1, len(parts) + 1)]
    found = [
        (c.reference, c.total, c.sequence) for m in decoded if (c := m.concatenation) is not None
    ]
    assert found == (expected if len(parts) > 1 else [])


@given(st.one_of(_ANY_TEXT, _GSM7_TEXT), st.randoms(use_true_random=False))
@settings(max_examples=100)
def test_deliver_parts_in_any_order_reassemble(text: str, shuffler: random.Random) -> None:
    pdus = encode_deliver("+358401234567", text, _SENT, concat_reference=3)
    messages = [decode_pdu(pdu) for pdu in pdus]
    shuffler.shuffle(messages)
    reassembler = SmsReassembler()
    out = []
    for message in messages:
        assert isinstance(message, SmsDeliver)
        out.extend(reassembler.add(message, _SENT))
    assert [m.text for m in out] == [text]
    assert reassembler.pending_count == 0
