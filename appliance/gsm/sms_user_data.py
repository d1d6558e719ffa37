"""TP-UDL and TP-UD: header, fill bits and body (3GPP TS 23.040 §9.2.3.16, §9.2.3.24)."""

from __future__ import annotations

from dataclasses import dataclass, field

from appliance.gsm.gsm7 import decode_gsm7, pack_septets, packed_size, unpack_septets
from appliance.gsm.pdu_error import PduError
from appliance.gsm.pdu_reader import PduReader
from appliance.gsm.sms_dcs import Alphabet, DataCoding
from appliance.gsm.sms_udh import Concatenation, UserDataHeader, decode_udh
from appliance.gsm.ucs2 import decode_ucs2

MAX_SEPTETS = 160
MAX_OCTETS = 140


@dataclass(frozen=True)
class UserData:
    """The payload of one PDU; `body` is septet values (GSM-7), UTF-16BE (UCS-2) or raw octets."""

    alphabet: Alphabet
    body: bytes
    header: UserDataHeader = field(default_factory=UserDataHeader)

    @property
    def text(self) -> str:
        """The body as text."""
        return body_text(self.alphabet, self.body)

    @property
    def concatenation(self) -> Concatenation | None:
        """Which part of a long message this is, if it is one."""
        return self.header.concatenation


def body_text(alphabet: Alphabet, body: bytes) -> str:
    """Decode a body; 8-bit data is shown as ISO 8859-1 so that no octet is lost."""
    if alphabet is Alphabet.GSM7:
        return decode_gsm7(body)
    if alphabet is Alphabet.UCS2:
        return decode_ucs2(body)
    return body.decode("latin-1")


def _header_septets(header_octets: int) -> int:
    return (8 * header_octets + 6) // 7


def read_user_data(reader: PduReader, coding: DataCoding, has_header: bool) -> UserData:
    """Read TP-UDL and TP-UD; after a header, GSM-7 text starts on a septet boundary."""
    length = reader.octet("TP-UDL")
    if coding.compressed:
        raise PduError("compressed user data (3GPP TS 23.042) is not supported")
    is_gsm7 = coding.alphabet is Alphabet.GSM7
    raw = reader.take(packed_size(length) if is_gsm7 else length, "TP-UD")
    header = UserDataHeader()
    header_octets = 0
    if has_header:
        if not raw:
            raise PduError("TP-UDHI is set but the user data is empty")
        header_octets = raw[0] + 1
        if header_octets > len(raw):
            raise PduError(
                f"user data header of {header_octets} octets overruns TP-UD ({len(raw)})"
            )
        header = decode_udh(raw[1:header_octets])
    if is_gsm7:
        header_septets = _header_septets(header_octets) if has_header else 0
        if header_septets > length:
            raise PduError(f"TP-UDL {length} septets is shorter than its header ({header_septets})")
        fill_bits = 7 * header_septets - 8 * header_octets
        body = unpack_septets(raw[header_octets:], length - header_septets, fill_bits)
    else:
        body = raw[header_octets:]
        if coding.alphabet is Alphabet.UCS2 and len(body) % 2:
            raise PduError(f"UCS-2 user data has an odd number of octets ({len(body)})")
    return UserData(coding.alphabet, body, header)


def build_user_data(alphabet: Alphabet, body: bytes, header: bytes = b"") -> bytes:
    """TP-UDL and TP-UD for a body (septet values for GSM-7) after a whole header."""
    if alphabet is Alphabet.GSM7:
        header_septets = _header_septets(len(header)) if header else 0
        fill_bits = 7 * header_septets - 8 * len(header)
        length = header_septets + len(body)
        limit, unit = MAX_SEPTETS, "septets"
        data = header + pack_septets(body, fill_bits)
    else:
        length = len(header) + len(body)
        limit, unit = MAX_OCTETS, "octets"
        data = header + body
    if length > limit:
        raise PduError(f"user data of {length} {unit} exceeds the {limit} one PDU can carry")
    return bytes([length]) + data
