"""The GSM 7-bit alphabet, septet packing and UCS-2 unit counting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.gsm.gsm7 import (
    BASIC_TABLE,
    EXTENSION_TABLE,
    decode_gsm7,
    encode_gsm7,
    fits_gsm7,
    gsm7_length,
    pack_septets,
    packed_size,
    unpack_septets,
)
from appliance.gsm.pdu_error import PduError
from appliance.gsm.ucs2 import decode_ucs2, encode_ucs2, ucs2_length

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "vectors" / "sms_pdus.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("vector", VECTORS["gsm7"], ids=lambda v: v["text"])
def test_published_texts_encode_and_pack_as_published(vector: dict[str, Any]) -> None:
    septets = bytes.fromhex(vector["septets"])
    packed = bytes.fromhex(vector["packed"])
    assert encode_gsm7(vector["text"]) == septets
    assert pack_septets(septets) == packed
    assert unpack_septets(packed, len(septets)) == septets
    assert decode_gsm7(septets) == vector["text"]


def test_finnish_and_swedish_letters_are_gsm7_one_septet_each() -> None:
    text = "Hyvää päivää, Åsa! Öljy é ü Ü Ä Ö å ø Ø æ Æ ß"
    assert fits_gsm7(text)
    assert gsm7_length(text) == len(text)


def test_every_extension_character_costs_two_septets() -> None:
    text = "^{}\\[~]|€\f"
    assert gsm7_length(text) == 2 * len(text)
    assert set(text) == set(EXTENSION_TABLE.values())
    assert encode_gsm7("€") == b"\x1b\x65"


def test_emoji_and_cjk_do_not_fit_and_name_the_character() -> None:
    assert gsm7_length("Kiitos 🙂") is None
    assert not fits_gsm7("世界")
    with pytest.raises(PduError, match=r"U\+1F642.*position 7"):
        encode_gsm7("Kiitos 🙂")


def test_backtick_and_lowercase_c_cedilla_are_not_in_the_alphabet() -> None:
    # TS 23.038 §6.2.1 has capital Ç at 0x09 and no grave accent.
    assert fits_gsm7("Ç")
    assert not fits_gsm7("ç")
    assert not fits_gsm7("`")


def test_unknown_extension_shows_the_basic_character() -> None:
    assert decode_gsm7(b"\x1b\x41") == "A"


def test_escape_escape_and_a_trailing_escape_show_as_space() -> None:
    assert decode_gsm7(b"a\x1b\x1bb") == "a b"
    assert decode_gsm7(b"ab\x1b") == "ab "


def test_septet_value_above_127_is_an_error() -> None:
    with pytest.raises(PduError, match="out of range"):
        decode_gsm7(b"\x80")
    with pytest.raises(PduError, match="out of range"):
        pack_septets(b"\x80")


def test_fill_bits_shift_the_first_septet() -> None:
    # One fill bit after a 6-octet header: 'A' (0x41) starts at bit 1.
    assert pack_septets(b"\x41", fill_bits=1) == b"\x82"
    assert unpack_septets(b"\x82", 1, fill_bits=1) == b"\x41"


def test_unpacking_more_septets_than_octets_hold_is_an_error() -> None:
    with pytest.raises(PduError, match="need 8 octets"):
        unpack_septets(b"\x00" * 7, 9)


def test_fill_bits_outside_0_to_6_are_refused() -> None:
    with pytest.raises(PduError):
        pack_septets(b"a", fill_bits=7)


@given(st.binary(max_size=200).map(lambda b: bytes(x & 0x7F for x in b)), st.integers(0, 6))
def test_pack_then_unpack_gives_the_septets_back(septets: bytes, fill_bits: int) -> None:
    packed = pack_septets(septets, fill_bits)
    assert len(packed) == packed_size(len(septets), fill_bits)
    assert unpack_septets(packed, len(septets), fill_bits) == septets


_GSM7_CHARS = [c for c in BASIC_TABLE if c != "\x1b"] + list(EXTENSION_TABLE.values())


@given(st.text(alphabet=st.sampled_from(_GSM7_CHARS), max_size=200))
def test_gsm7_text_round_trips(text: str) -> None:
    assert decode_gsm7(encode_gsm7(text)) == text
    assert gsm7_length(text) == len(encode_gsm7(text))


@pytest.mark.parametrize("vector", VECTORS["ucs2"], ids=lambda v: v["text"])
def test_published_ucs2_octets(vector: dict[str, Any]) -> None:
    assert encode_ucs2(vector["text"]) == bytes.fromhex(vector["octets"])
    assert decode_ucs2(bytes.fromhex(vector["octets"])) == vector["text"]


def test_characters_outside_the_bmp_count_two_units() -> None:
    assert ucs2_length("ä🙂") == 3
    assert len(encode_ucs2("🙂")) == 4


def test_lone_surrogate_decodes_to_replacement_character() -> None:
    assert decode_ucs2(b"\xd8\x3d\x00A") == "\ufffdA"


def test_odd_ucs2_octets_are_an_error() -> None:
    with pytest.raises(PduError, match="odd"):
        decode_ucs2(b"\x00A\x00")
