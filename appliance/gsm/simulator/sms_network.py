"""What the simulated network hands the modem: SMS-DELIVER and status-report PDUs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from appliance.gsm.pdu import encode_deliver, encode_status_report

from .sim_core import StoredSms

SMSC = "+358405202000"
_references = itertools.count(0x40)


def tpdu_length(pdu_hex: str) -> int:
    """TS 27.005 §3.1: the length AT+CMGR/+CMGS/+CDS give is the TPDU's, without the SMSC field."""
    smsc_octets = int(pdu_hex[:2], 16)
    return len(pdu_hex) // 2 - 1 - smsc_octets


def deliver_parts(sender: str, text: str, *, force_ucs2: bool = False,
                  now: datetime | None = None) -> list[StoredSms]:
    """The stored parts of one incoming message, as a SIM holds them."""
    moment = now or datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    pdus = encode_deliver(sender, text, moment, concat_reference=next(_references) % 256,
                          smsc=SMSC, force_ucs2=force_ucs2)
    return [StoredSms(True, sender, text, pdu, tpdu_length(pdu)) for pdu in pdus]


def status_report_pdu(reference: int, number: str, status: int) -> tuple[int, str]:
    """(TPDU length, hex) of the status report for message `reference`."""
    sent = datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    pdu = encode_status_report(reference, number, sent, sent, status, smsc=SMSC)
    return tpdu_length(pdu), pdu
