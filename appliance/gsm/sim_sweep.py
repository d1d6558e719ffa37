"""Delete a person's SMS still held on the modem's SIM (after an erasure).

The driver deletes each SMS from the SIM once it is stored (appliance/gsm/sms.py);
one whose storing failed stays there for another try. This lists the SIM's
messages (AT+CMGL=4: all, in PDU mode, 3GPP TS 27.005 §3.4.2), reads each
sender's address and deletes (AT+CMGD, §3.5.4) those the caller names as the
person's. A driver operation (ModemDriver.sweep_stored_sms): AT stays in here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from appliance.gsm.at_channel import AtChannel
from appliance.gsm.pdu_error import PduError
from appliance.gsm.pdu_reader import PduReader, octets_from_hex
from appliance.gsm.response_fields import split_fields
from appliance.gsm.sms_address import read_address, read_smsc

log = logging.getLogger("aspa.gsm.sim")

LIST_ALL = "AT+CMGL=4"
LIST_TIME_LIMIT_S = 30.0  # a full SIM of 30+ messages takes a while on SIM800
_MTI_DELIVER = 0  # TS 23.040 §9.2.3.1: an incoming message; only those name a sender


def sender_of(pdu_hex: str) -> str | None:
    """The originating address of an SMS-DELIVER PDU (SMSC field first), else None."""
    try:
        reader = PduReader(octets_from_hex(pdu_hex))
        read_smsc(reader)
        if reader.octet("first octet") & 0x03 != _MTI_DELIVER:
            return None
        return read_address(reader, "originating address").value
    except PduError:
        return None


async def delete_from_sim(channel: AtChannel, is_theirs: Callable[[str], bool]) -> list[int]:
    """Delete every stored SMS whose sender `is_theirs`; returns the indexes."""
    response = await channel.command(LIST_ALL, prefix="+CMGL:", time_limit=LIST_TIME_LIMIT_S)
    lines = list(response.lines)
    doomed = []
    for position, line in enumerate(lines):
        if not line.startswith("+CMGL:") or position + 1 >= len(lines):
            continue
        fields = split_fields(line.split(":", 1)[1])
        if not fields or not fields[0].isdigit():
            continue
        sender = sender_of(lines[position + 1])
        if sender is not None and is_theirs(sender):
            doomed.append(int(fields[0]))
    for index in doomed:
        await channel.command(f"AT+CMGD={index}")
    if doomed:
        log.info("deleted %d SMS of an erased customer from the SIM", len(doomed))
    return doomed
