"""Choosing the alphabet and cutting long text into parts (3GPP TS 23.040 §9.2.3.24.1)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.gsm.gsm7 import septets_of
from appliance.gsm.pdu_error import PduError
from appliance.gsm.sms_dcs import Alphabet
from appliance.gsm.ucs2 import encode_ucs2

# One PDU carries 140 octets: 160 septets or 70 UCS-2 units alone; a part of a long
# message loses 6 octets to the header 05 00 03 ref total seq (7 septets with fill).
SINGLE_GSM7_SEPTETS = 160
PART_GSM7_SEPTETS = 153
SINGLE_UCS2_UNITS = 70
PART_UCS2_UNITS = 67
MAX_PARTS = 255


@dataclass(frozen=True)
class SplitText:
    """Text cut into part bodies: septet values (GSM-7) or UTF-16BE octets (UCS-2)."""

    alphabet: Alphabet
    bodies: tuple[bytes, ...]

    @property
    def is_long(self) -> bool:
        """Whether the text needs concatenated parts."""
        return len(self.bodies) > 1


def _char_codes(text: str, force_ucs2: bool) -> tuple[Alphabet, list[bytes]]:
    if not force_ucs2:
        codes = [septets_of(char) for char in text]
        if all(code is not None for code in codes):
            return Alphabet.GSM7, [code for code in codes if code is not None]
    return Alphabet.UCS2, [encode_ucs2(char) for char in text]


def split_text(text: str, *, force_ucs2: bool = False) -> SplitText:
    """GSM-7 if every character allows, else UCS-2; never cut an escape or surrogate pair."""
    alphabet, codes = _char_codes(text, force_ucs2)
    if alphabet is Alphabet.GSM7:
        octets_per_unit, single, per_part = 1, SINGLE_GSM7_SEPTETS, PART_GSM7_SEPTETS
    else:
        octets_per_unit, single, per_part = 2, SINGLE_UCS2_UNITS, PART_UCS2_UNITS
    whole = b"".join(codes)
    if len(whole) <= single * octets_per_unit:
        return SplitText(alphabet, (whole,))
    capacity = per_part * octets_per_unit
    bodies: list[bytes] = []
    current = bytearray()
    for code in codes:
        if len(current) + len(code) > capacity:
            bodies.append(bytes(current))
            current = bytearray()
        current += code
    bodies.append(bytes(current))
    if len(bodies) > MAX_PARTS:
        raise PduError(f"text needs {len(bodies)} parts; at most {MAX_PARTS} can be joined")
    return SplitText(alphabet, tuple(bodies))


def part_count(text: str) -> tuple[Alphabet, int, int]:
    """(alphabet, parts, units) of `text` as split_text would send it, however long: the
    count an agent sees before sending (an extension character is two septets)."""
    alphabet, codes = _char_codes(text, force_ucs2=False)
    if alphabet is Alphabet.GSM7:
        single, per_part, width = SINGLE_GSM7_SEPTETS, PART_GSM7_SEPTETS, 1
    else:
        single, per_part, width = SINGLE_UCS2_UNITS, PART_UCS2_UNITS, 2
    units = sum(len(code) for code in codes) // width
    if units <= single:
        return alphabet, 1 if units else 0, units
    parts, used = 1, 0
    for code in codes:  # a part never splits an escape or a surrogate pair
        size = len(code) // width
        if used + size > per_part:
            parts, used = parts + 1, 0
        used += size
    return alphabet, parts, units
