"""Hex PDU from the modem -> SmsDeliver, SmsSubmit or SmsStatusReport (3GPP TS 23.040 §9.2.2)."""

from __future__ import annotations

from datetime import datetime, timedelta

from appliance.gsm.pdu_error import PduError
from appliance.gsm.pdu_reader import PduReader, octets_from_hex
from appliance.gsm.sms_address import Address, read_address, read_smsc
from appliance.gsm.sms_dcs import Alphabet, DataCoding, decode_dcs
from appliance.gsm.sms_messages import SmsDeliver, SmsPdu, SmsStatusReport, SmsSubmit
from appliance.gsm.sms_timestamp import (
    TIMESTAMP_OCTETS,
    decode_relative_validity,
    decode_timestamp,
)
from appliance.gsm.sms_user_data import UserData, read_user_data

# First octet bits (TS 23.040 §9.2.3): TP-MTI in bits 1-0, then per message type.
_MTI_DELIVER, _MTI_SUBMIT, _MTI_STATUS_REPORT = 0, 1, 2
_MMS = 0x04  # no more messages waiting (DELIVER, STATUS-REPORT)
_RD = 0x04  # reject duplicates (SUBMIT)
_SRI_SRR_SRQ = 0x20
_UDHI = 0x40
_RP = 0x80
# TS 23.040 §9.2.3.27: parameter indicator bits of a status report.
_PI_PID, _PI_DCS, _PI_UDL = 0x01, 0x02, 0x04


def decode_pdu(hex_pdu: str, *, with_smsc: bool = True) -> SmsPdu:
    """Decode a PDU as +CMGR/+CMT/+CDS print it (SMSC field first unless `with_smsc` is False)."""
    reader = PduReader(octets_from_hex(hex_pdu))
    smsc = read_smsc(reader) if with_smsc else None
    first = reader.octet("first octet")
    kind = first & 0x03
    message: SmsPdu
    if kind == _MTI_DELIVER:
        message = _read_deliver(reader, smsc, first)
    elif kind == _MTI_SUBMIT:
        message = _read_submit(reader, smsc, first)
    elif kind == _MTI_STATUS_REPORT:
        message = _read_status_report(reader, smsc, first)
    else:
        raise PduError(f"first octet 0x{first:02X} has the reserved message type 3")
    if reader.remaining:
        raise PduError(f"{reader.remaining} octets left over after the user data")
    return message


def _read_timestamp(reader: PduReader, field: str) -> datetime:
    return decode_timestamp(reader.take(TIMESTAMP_OCTETS, field), field)


def _read_deliver(reader: PduReader, smsc: Address | None, first: int) -> SmsDeliver:
    sender = read_address(reader, "TP-OA")
    protocol_id = reader.octet("TP-PID")
    coding = decode_dcs(reader.octet("TP-DCS"))
    timestamp = _read_timestamp(reader, "TP-SCTS")
    user_data = read_user_data(reader, coding, bool(first & _UDHI))
    return SmsDeliver(
        smsc=smsc,
        sender=sender,
        protocol_id=protocol_id,
        coding=coding,
        timestamp=timestamp,
        user_data=user_data,
        more_messages=not first & _MMS,
        status_report_indicated=bool(first & _SRI_SRR_SRQ),
        reply_path=bool(first & _RP),
    )


def _read_validity(reader: PduReader, first: int) -> timedelta | datetime | bytes | None:
    # TS 23.040 §9.2.3.3: TP-VPF in bits 4-3.
    form = (first >> 3) & 0x03
    if form == 0b10:
        return decode_relative_validity(reader.octet("TP-VP"))
    if form == 0b11:
        return _read_timestamp(reader, "TP-VP")
    if form == 0b01:
        return reader.take(7, "TP-VP (enhanced)")
    return None


def _read_submit(reader: PduReader, smsc: Address | None, first: int) -> SmsSubmit:
    message_reference = reader.octet("TP-MR")
    recipient = read_address(reader, "TP-DA")
    protocol_id = reader.octet("TP-PID")
    coding = decode_dcs(reader.octet("TP-DCS"))
    validity = _read_validity(reader, first)
    user_data = read_user_data(reader, coding, bool(first & _UDHI))
    return SmsSubmit(
        smsc=smsc,
        message_reference=message_reference,
        recipient=recipient,
        protocol_id=protocol_id,
        coding=coding,
        validity=validity,
        user_data=user_data,
        status_report_requested=bool(first & _SRI_SRR_SRQ),
        reject_duplicates=bool(first & _RD),
        reply_path=bool(first & _RP),
    )


def _read_optional_user_data(reader: PduReader, first: int) -> UserData | None:
    # TS 23.040 §9.2.2.3: TP-PI and what it announces are optional; extension octets
    # (bit 7) carry no parameters we know and are skipped.
    if not reader.remaining:
        return None
    indicator = reader.octet("TP-PI")
    extension = indicator
    while extension & 0x80 and reader.remaining:
        extension = reader.octet("TP-PI extension")
    if indicator & _PI_PID:
        reader.octet("TP-PID")
    coding = DataCoding(Alphabet.GSM7)
    if indicator & _PI_DCS:
        coding = decode_dcs(reader.octet("TP-DCS"))
    if not indicator & _PI_UDL:
        return None
    return read_user_data(reader, coding, bool(first & _UDHI))


def _read_status_report(
    reader: PduReader, smsc: Address | None, first: int
) -> SmsStatusReport:
    message_reference = reader.octet("TP-MR")
    recipient = read_address(reader, "TP-RA")
    timestamp = _read_timestamp(reader, "TP-SCTS")
    discharge_time = _read_timestamp(reader, "TP-DT")
    status = reader.octet("TP-ST")
    user_data = _read_optional_user_data(reader, first)
    return SmsStatusReport(
        smsc=smsc,
        message_reference=message_reference,
        recipient=recipient,
        timestamp=timestamp,
        discharge_time=discharge_time,
        status=status,
        user_data=user_data,
        more_messages=not first & _MMS,
        reports_command=bool(first & _SRI_SRR_SRQ),
    )
