"""SMS-DELIVER and SMS-STATUS-REPORT PDUs as the network sends them (TS 23.040 §9.2.2.1, .3).

The modem simulator uses these to hand the driver exactly what a real modem prints.
"""

from __future__ import annotations

import re
from datetime import datetime

from appliance.gsm.pdu_error import PduError
from appliance.gsm.sms_address import encode_address, encode_alphanumeric_address, encode_smsc
from appliance.gsm.sms_dcs import encode_dcs
from appliance.gsm.sms_split import split_text
from appliance.gsm.sms_timestamp import encode_timestamp
from appliance.gsm.sms_udh import encode_concatenation_udh
from appliance.gsm.sms_user_data import build_user_data

_NO_MORE_MESSAGES = 0x04
_STATUS_REPORT_INDICATION = 0x20
_UDHI = 0x40
_MTI_STATUS_REPORT = 0x02
_LOOKS_LIKE_NUMBER = re.compile(r"\+?[0-9*#]+")


def _originator(sender: str) -> bytes:
    if _LOOKS_LIKE_NUMBER.fullmatch(sender):
        return encode_address(sender)
    return encode_alphanumeric_address(sender)


def encode_deliver(
    sender: str,
    text: str,
    timestamp: datetime,
    *,
    concat_reference: int = 0,
    smsc: str | None = None,
    message_class: int | None = None,
    status_report_indicated: bool = False,
    force_ucs2: bool = False,
) -> list[str]:
    """Hex SMS-DELIVER PDUs (SMSC field first) from a number or an alphanumeric name."""
    split = split_text(text, force_ucs2=force_ucs2)
    first = _NO_MORE_MESSAGES
    if status_report_indicated:
        first |= _STATUS_REPORT_INDICATION
    if split.is_long:
        first |= _UDHI
    head = (
        encode_smsc(smsc)
        + bytes([first])
        + _originator(sender)
        + bytes([0x00, encode_dcs(split.alphabet, message_class)])
        + encode_timestamp(timestamp)
    )
    total = len(split.bodies)
    pdus: list[str] = []
    for sequence, body in enumerate(split.bodies, start=1):
        header = b""
        if split.is_long:
            header = encode_concatenation_udh(concat_reference, total, sequence)
        pdus.append((head + build_user_data(split.alphabet, body, header)).hex().upper())
    return pdus


def encode_status_report(
    message_reference: int,
    recipient: str,
    timestamp: datetime,
    discharge_time: datetime,
    status: int = 0x00,
    *,
    smsc: str | None = None,
) -> str:
    """Hex SMS-STATUS-REPORT PDU (SMSC field first) for a message we sent."""
    if not 0 <= message_reference <= 0xFF or not 0 <= status <= 0xFF:
        raise PduError("message reference and status must each fit one octet")
    return (
        encode_smsc(smsc)
        + bytes([_NO_MORE_MESSAGES | _MTI_STATUS_REPORT, message_reference])
        + encode_address(recipient)
        + encode_timestamp(timestamp)
        + encode_timestamp(discharge_time)
        + bytes([status])
    ).hex().upper()
