"""UCS-2 user data as phones send it: UTF-16BE, surrogate pairs allowed (TS 23.038 §6.2.3)."""

from __future__ import annotations

from appliance.gsm.pdu_error import PduError


def ucs2_length(text: str) -> int:
    """Length of `text` in 16-bit units (a character outside the BMP counts 2)."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def encode_ucs2(text: str) -> bytes:
    """Text -> UTF-16BE octets."""
    try:
        return text.encode("utf-16-be")
    except UnicodeEncodeError as error:
        raise PduError(f"text holds a lone surrogate at position {error.start}") from error


def decode_ucs2(data: bytes) -> str:
    """UTF-16BE octets -> text; a surrogate cut off from its pair becomes U+FFFD."""
    if len(data) % 2:
        raise PduError(f"UCS-2 user data has an odd number of octets ({len(data)})")
    return data.decode("utf-16-be", errors="replace")
