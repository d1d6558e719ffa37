"""User data header: information elements, concatenation (3GPP TS 23.040 §9.2.3.24)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.gsm.pdu_error import PduError

IEI_CONCAT_8BIT = 0x00
IEI_CONCAT_16BIT = 0x08


@dataclass(frozen=True)
class InformationElement:
    """One element of a user data header, kept whole even when not understood."""

    identifier: int
    data: bytes


@dataclass(frozen=True)
class Concatenation:
    """Which part of which long message this is (TS 23.040 §9.2.3.24.1, §9.2.3.24.8)."""

    reference: int
    total: int
    sequence: int


@dataclass(frozen=True)
class UserDataHeader:
    """The information elements of a user data header, in order."""

    elements: tuple[InformationElement, ...] = ()

    @property
    def concatenation(self) -> Concatenation | None:
        """The first valid concatenation element, if any."""
        for element in self.elements:
            found = _concatenation(element)
            if found is not None:
                return found
        return None


def _concatenation(element: InformationElement) -> Concatenation | None:
    data = element.data
    if element.identifier == IEI_CONCAT_8BIT and len(data) == 3:
        reference, total, sequence = data[0], data[1], data[2]
    elif element.identifier == IEI_CONCAT_16BIT and len(data) == 4:
        reference, total, sequence = data[0] << 8 | data[1], data[2], data[3]
    else:
        return None
    # TS 23.040 §9.2.3.24.1: a zero count or a sequence past the count voids the element.
    if total == 0 or not 1 <= sequence <= total:
        return None
    return Concatenation(reference, total, sequence)


def decode_udh(raw: bytes) -> UserDataHeader:
    """Split the header octets (after the UDHL octet) into elements; unknown ones are kept."""
    elements: list[InformationElement] = []
    position = 0
    while position < len(raw):
        if position + 2 > len(raw):
            raise PduError(f"user data header truncated at element offset {position}")
        identifier, length = raw[position], raw[position + 1]
        end = position + 2 + length
        if end > len(raw):
            raise PduError(
                f"user data header element 0x{identifier:02X} claims {length} octets,"
                f" only {len(raw) - position - 2} left"
            )
        elements.append(InformationElement(identifier, raw[position + 2 : end]))
        position = end
    return UserDataHeader(tuple(elements))


def encode_concatenation_udh(reference: int, total: int, sequence: int) -> bytes:
    """The whole header of one part, UDHL included: 05 00 03 ref total seq."""
    if not 0 <= reference <= 0xFF:
        raise PduError(f"concatenation reference must be 0-255, not {reference}")
    if not 1 <= sequence <= total <= 0xFF:
        raise PduError(f"part {sequence} of {total} is not a valid concatenation")
    return bytes([5, IEI_CONCAT_8BIT, 3, reference, total, sequence])
