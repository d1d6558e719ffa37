"""Address fields: SMSC, originator, destination, recipient (3GPP TS 23.040 §9.1.2.5)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from appliance.gsm.gsm7 import decode_gsm7, encode_gsm7, pack_septets, unpack_septets
from appliance.gsm.pdu_error import PduError
from appliance.gsm.pdu_reader import PduReader

# Type-of-address octet: bit 7 set, type of number in bits 6-4, numbering plan in bits 3-0.
TOA_INTERNATIONAL = 0x91
TOA_UNKNOWN = 0x81
TOA_ALPHANUMERIC = 0xD0
_TON_INTERNATIONAL = 1
_TON_ALPHANUMERIC = 5

# TS 23.040 §9.1.2.3: semi-octet values 10-14 are '*', '#', 'a', 'b', 'c'; 15 is the filler.
_SEMI_OCTET_DIGITS = "0123456789*#abc"
_NUMBER = re.compile(r"\+?[0-9*#]{1,20}")
_MAX_ALPHANUMERIC_SEPTETS = 11


@dataclass(frozen=True)
class Address:
    """A decoded address: '+358401234567', '0401234567' or an alphanumeric name like 'Elisa'."""

    value: str
    type_of_address: int

    @property
    def type_of_number(self) -> int:
        """Bits 6-4 of the type-of-address octet."""
        return (self.type_of_address >> 4) & 0x07

    @property
    def is_international(self) -> bool:
        """Whether the number carries its country code."""
        return self.type_of_number == _TON_INTERNATIONAL

    @property
    def is_alphanumeric(self) -> bool:
        """Whether this is a name rather than a number (nobody can reply to it)."""
        return self.type_of_number == _TON_ALPHANUMERIC

    def __str__(self) -> str:
        return self.value


def _decode_semi_octets(raw: bytes, digits: int) -> str:
    out: list[str] = []
    for octet in raw:
        for nibble in (octet & 0x0F, octet >> 4):
            if len(out) < digits and nibble != 0x0F:
                out.append(_SEMI_OCTET_DIGITS[nibble])
    return "".join(out)


def _encode_semi_octets(digits: str) -> bytes:
    nibbles = [_SEMI_OCTET_DIGITS.index(char) for char in digits]
    if len(nibbles) % 2:
        nibbles.append(0x0F)
    return bytes(low | (high << 4) for low, high in zip(nibbles[::2], nibbles[1::2], strict=True))


def _value(type_of_address: int, raw: bytes, semi_octets: int) -> str:
    ton = (type_of_address >> 4) & 0x07
    if ton == _TON_ALPHANUMERIC:
        septets = unpack_septets(raw, semi_octets * 4 // 7)
        return decode_gsm7(septets)
    digits = _decode_semi_octets(raw, semi_octets)
    return "+" + digits if ton == _TON_INTERNATIONAL else digits


def read_address(reader: PduReader, field: str) -> Address:
    """Read TP-OA, TP-DA or TP-RA, whose length counts useful semi-octets."""
    semi_octets = reader.octet(f"{field} length")
    type_of_address = reader.octet(f"{field} type")
    raw = reader.take((semi_octets + 1) // 2, field)
    return Address(_value(type_of_address, raw, semi_octets), type_of_address)


def read_smsc(reader: PduReader) -> Address | None:
    """Read the SMSC address that modems put before the TPDU; its length counts octets."""
    octets = reader.octet("SMSC length")
    if octets == 0:
        return None
    type_of_address = reader.octet("SMSC type")
    raw = reader.take(octets - 1, "SMSC address")
    return Address(_value(type_of_address, raw, 2 * len(raw)), type_of_address)


def _split_number(number: str) -> tuple[int, str]:
    if not _NUMBER.fullmatch(number):
        raise PduError(f"not a phone number: {number!r} (digits, optional leading +, at most 20)")
    if number.startswith("+"):
        return TOA_INTERNATIONAL, number[1:]
    return TOA_UNKNOWN, number


def encode_address(number: str) -> bytes:
    """'+358401234567' -> TP-DA/TP-OA octets (length in digits, type 0x91 or 0x81, semi-octets)."""
    type_of_address, digits = _split_number(number)
    return bytes([len(digits), type_of_address]) + _encode_semi_octets(digits)


def encode_alphanumeric_address(name: str) -> bytes:
    """'Elisa' -> TP-OA octets of type 0xD0, the name packed in GSM-7."""
    septets = encode_gsm7(name)
    if not 0 < len(septets) <= _MAX_ALPHANUMERIC_SEPTETS:
        raise PduError(f"alphanumeric sender must be 1-11 GSM-7 septets: {name!r}")
    semi_octets = (7 * len(septets) + 3) // 4
    return bytes([semi_octets, TOA_ALPHANUMERIC]) + pack_septets(septets)


def encode_smsc(number: str | None) -> bytes:
    """The SMSC field: '00' (the SIM's default centre) or the centre's number."""
    if number is None:
        return b"\x00"
    type_of_address, digits = _split_number(number)
    body = bytes([type_of_address]) + _encode_semi_octets(digits)
    return bytes([len(body)]) + body
