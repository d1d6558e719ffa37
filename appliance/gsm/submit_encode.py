"""Text to send -> SMS-SUBMIT PDUs for AT+CMGS (3GPP TS 23.040 §9.2.2.2, TS 27.005 §3.5.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from appliance.gsm.pdu_error import PduError
from appliance.gsm.sms_address import encode_address, encode_smsc
from appliance.gsm.sms_dcs import encode_dcs
from appliance.gsm.sms_split import split_text
from appliance.gsm.sms_timestamp import encode_relative_validity
from appliance.gsm.sms_udh import encode_concatenation_udh
from appliance.gsm.sms_user_data import build_user_data

_MTI_SUBMIT = 0x01
_REJECT_DUPLICATES = 0x04
_VPF_RELATIVE = 0x10
_STATUS_REPORT_REQUEST = 0x20
_UDHI = 0x40


@dataclass(frozen=True)
class SubmitPart:
    """One PDU to send: `AT+CMGS=<tpdu_length>`, then `pdu` and Ctrl-Z."""

    pdu: str
    tpdu_length: int
    sequence: int
    total: int


def encode_submit(
    number: str,
    text: str,
    *,
    concat_reference: int | None = None,
    status_report: bool = False,
    validity: timedelta | None = None,
    message_reference: int = 0,
    reject_duplicates: bool = False,
    smsc: str | None = None,
    message_class: int | None = None,
    force_ucs2: bool = False,
) -> list[SubmitPart]:
    """Encode `text` to `number`; a long text needs a `concat_reference` (0-255)."""
    if not 0 <= message_reference <= 0xFF:
        raise PduError(f"message reference must be 0-255, not {message_reference}")
    split = split_text(text, force_ucs2=force_ucs2)
    total = len(split.bodies)
    headers = [b""]
    if split.is_long:
        if concat_reference is None:
            raise PduError(
                f"text needs {total} parts: give a concat_reference (0-255)"
                " that differs from the last long message to this number"
            )
        headers = [
            encode_concatenation_udh(concat_reference, total, sequence)
            for sequence in range(1, total + 1)
        ]
    first = _MTI_SUBMIT
    if reject_duplicates:
        first |= _REJECT_DUPLICATES
    if status_report:
        first |= _STATUS_REPORT_REQUEST
    validity_field = b""
    if validity is not None:
        first |= _VPF_RELATIVE
        validity_field = bytes([encode_relative_validity(validity)])
    if split.is_long:
        first |= _UDHI
    # TS 27.005 §3.5.1: "00" lets the modem use the SMSC stored on the SIM (AT+CSCA).
    smsc_field = encode_smsc(smsc)
    destination = encode_address(number)
    dcs = encode_dcs(split.alphabet, message_class)
    parts: list[SubmitPart] = []
    for sequence, (body, header) in enumerate(zip(split.bodies, headers, strict=True), start=1):
        tpdu = (
            bytes([first, message_reference])
            + destination
            + bytes([0x00, dcs])
            + validity_field
            + build_user_data(split.alphabet, body, header)
        )
        parts.append(SubmitPart((smsc_field + tpdu).hex().upper(), len(tpdu), sequence, total))
    return parts
