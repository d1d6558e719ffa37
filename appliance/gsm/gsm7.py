"""The GSM 7-bit default alphabet and its septet packing (3GPP TS 23.038 §6.1.2, §6.2.1)."""

from __future__ import annotations

from appliance.gsm.pdu_error import PduError

# 3GPP TS 23.038 §6.2.1: code point -> character. 0x1B is the escape to the
# extension table; it is kept as a placeholder here and never looked up.
BASIC_TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
ESCAPE = 0x1B

# 3GPP TS 23.038 §6.2.1.1: the default alphabet extension table, reached by ESC.
EXTENSION_TABLE: dict[int, str] = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}

_BASIC_CODES: dict[str, bytes] = {
    char: bytes([code]) for code, char in enumerate(BASIC_TABLE) if code != ESCAPE
}
_EXTENDED_CODES: dict[str, bytes] = {
    char: bytes([ESCAPE, code]) for code, char in EXTENSION_TABLE.items()
}
_CODES: dict[str, bytes] = {**_BASIC_CODES, **_EXTENDED_CODES}


def septets_of(char: str) -> bytes | None:
    """The septet values of one character (two for an extension character), or None."""
    return _CODES.get(char)


def gsm7_length(text: str) -> int | None:
    """Length of `text` in septets (extension characters count 2), or None if it is not GSM-7."""
    length = 0
    for char in text:
        codes = _CODES.get(char)
        if codes is None:
            return None
        length += len(codes)
    return length


def fits_gsm7(text: str) -> bool:
    """Whether every character of `text` is in the default alphabet or its extension."""
    return gsm7_length(text) is not None


def encode_gsm7(text: str) -> bytes:
    """Text -> septet values, one per byte (not packed)."""
    out = bytearray()
    for position, char in enumerate(text):
        codes = _CODES.get(char)
        if codes is None:
            raise PduError(
                f"character {char!r} (U+{ord(char):04X}) at position {position}"
                " is not in the GSM 7-bit alphabet"
            )
        out += codes
    return bytes(out)


def decode_gsm7(septets: bytes) -> str:
    """Septet values, one per byte (not packed) -> text."""
    chars: list[str] = []
    escaped = False
    for value in septets:
        if value > 0x7F:
            raise PduError(f"septet value 0x{value:02X} is out of range")
        if escaped:
            escaped = False
            if value == ESCAPE:
                # TS 23.038 §6.2.1.1: ESC ESC is reserved; show a space.
                chars.append(" ")
            else:
                # TS 23.038 §6.2.1.1: an unknown extension shows the basic character.
                chars.append(EXTENSION_TABLE.get(value, BASIC_TABLE[value]))
        elif value == ESCAPE:
            escaped = True
        else:
            chars.append(BASIC_TABLE[value])
    if escaped:
        # A lone trailing escape has nothing to extend; show it as a space.
        chars.append(" ")
    return "".join(chars)


def packed_size(count: int, fill_bits: int = 0) -> int:
    """Octets taken by `count` septets packed after `fill_bits` fill bits."""
    return (fill_bits + 7 * count + 7) // 8


def pack_septets(septets: bytes, fill_bits: int = 0) -> bytes:
    """Pack septets low bits first, after `fill_bits` zero bits (TS 23.038 §6.1.2.1.1)."""
    if not 0 <= fill_bits <= 6:
        raise PduError(f"fill bits must be 0-6, not {fill_bits}")
    value = 0
    for index, septet in enumerate(septets):
        if septet > 0x7F:
            raise PduError(f"septet value 0x{septet:02X} is out of range")
        value |= septet << (fill_bits + 7 * index)
    return value.to_bytes(packed_size(len(septets), fill_bits), "little")


def unpack_septets(data: bytes, count: int, fill_bits: int = 0) -> bytes:
    """Unpack `count` septets from octets, skipping `fill_bits` leading fill bits."""
    if not 0 <= fill_bits <= 6:
        raise PduError(f"fill bits must be 0-6, not {fill_bits}")
    needed = packed_size(count, fill_bits)
    if needed > len(data):
        raise PduError(f"{count} septets need {needed} octets, only {len(data)} present")
    value = int.from_bytes(data[:needed], "little") >> fill_bits
    return bytes((value >> (7 * index)) & 0x7F for index in range(count))
