"""TP-Data-Coding-Scheme: alphabet, message class, compression (3GPP TS 23.038 §4)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from appliance.gsm.pdu_error import PduError


class Alphabet(Enum):
    """How the user data is coded."""

    GSM7 = "gsm7"
    DATA8 = "8bit"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class DataCoding:
    """A decoded TP-DCS octet."""

    alphabet: Alphabet
    message_class: int | None = None
    compressed: bool = False
    auto_delete: bool = False
    message_waiting: bool = False
    octet: int = 0

    @property
    def is_flash(self) -> bool:
        """Class 0: shown at once and not stored by a phone."""
        return self.message_class == 0


_ALPHABET_BITS = {0: Alphabet.GSM7, 1: Alphabet.DATA8, 2: Alphabet.UCS2}


def decode_dcs(octet: int) -> DataCoding:
    """Read a TP-DCS octet; reserved codings count as the default alphabet (TS 23.038 §4)."""
    group = octet >> 4
    if group <= 0x7:
        # General data coding (00xx) and "marked for automatic deletion" (01xx).
        return DataCoding(
            alphabet=_ALPHABET_BITS.get((octet >> 2) & 0x03, Alphabet.GSM7),
            message_class=octet & 0x03 if octet & 0x10 else None,
            compressed=bool(octet & 0x20),
            auto_delete=bool(octet & 0x40),
            octet=octet,
        )
    if group in (0xC, 0xD):
        return DataCoding(Alphabet.GSM7, message_waiting=True, octet=octet)
    if group == 0xE:
        return DataCoding(Alphabet.UCS2, message_waiting=True, octet=octet)
    if group == 0xF:
        # Data coding / message class group: bit 2 picks 8-bit data over GSM-7.
        alphabet = Alphabet.DATA8 if octet & 0x04 else Alphabet.GSM7
        return DataCoding(alphabet, message_class=octet & 0x03, octet=octet)
    return DataCoding(Alphabet.GSM7, octet=octet)


def encode_dcs(alphabet: Alphabet, message_class: int | None = None) -> int:
    """TP-DCS for uncompressed user data in the general data coding group."""
    alphabet_bits = {Alphabet.GSM7: 0x00, Alphabet.DATA8: 0x04, Alphabet.UCS2: 0x08}[alphabet]
    if message_class is None:
        return alphabet_bits
    if not 0 <= message_class <= 3:
        raise PduError(f"message class must be 0-3, not {message_class}")
    return 0x10 | alphabet_bits | message_class
