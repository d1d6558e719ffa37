"""What every part of the simulated modem shares: its pty, its state, and how it prints."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from .pty_link import PtyLink
from .sim_call import SimCall

Handler = Callable[[str], list[str] | None]  # argument text -> info lines + final, or None

CME_OPERATION_NOT_ALLOWED = "+CME ERROR: 3"
CME_SIM_PIN = "+CME ERROR: 11"
CME_SIM_PUK = "+CME ERROR: 12"
CME_WRONG_PIN = "+CME ERROR: 16"
CME_SIM_FAILURE = "+CME ERROR: 13"
CMS_INVALID_INDEX = "+CMS ERROR: 321"


@dataclass
class StoredSms:
    """One message in the simulated SIM's "SM" storage."""

    unread: bool
    sender: str
    text: str
    pdu_hex: str = ""  # the TPDU with its SMSC prefix, for PDU mode (AT+CMGF=0)
    tpdu_length: int = 0
    timestamp: str = "26/11/23,10:15:00+08"


def split_args(text: str) -> list[str]:
    """`1,"a,b",3` -> ['1', 'a,b', '3'] (quotes removed).

    Deliberately not the driver's `response_fields.split_fields`: the simulator is the
    driver's peer, and a quoting bug shared by both sides would pass every test.
    """
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            out.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    out.append("".join(current).strip())
    return out


class SimCore:
    """State and output shared by the command groups (calls, SMS, status) of a simulated modem."""

    supports_clcc_urc = False
    supports_lte = False
    link: PtyLink
    ring_interval: float | None
    prompt_seconds: float
    calls: list[SimCall]
    _call_ended: asyncio.Event  # set whenever a call leaves `calls`
    network_rejects: set[str]
    sms: dict[int, StoredSms]
    sent_sms: list[str]
    deleted_sms: list[int]
    echo: bool
    clip: bool
    crc: bool
    clcc_urc: bool
    ccwa: bool
    dtmf_detect: bool
    creg_n: int
    cereg_n: int
    cmgf: int
    cnmi_mt: int
    cnmi_ds: int
    sim_pin: str | None
    sim_puk: str
    cpin: str
    pin_tries: int
    puk_tries: int
    reg_stat: int
    operator: str
    rssi: int
    _ring_handles: dict[int, asyncio.TimerHandle]
    _next_mr: int
    _sms_body: bytearray | None
    _sms_target: str

    def urc(self, line: str) -> None:
        """Print an unsolicited result code."""
        self.link.write(f"\r\n{line}\r\n".encode())

    def later(self, delay: float, action: Callable[[], object]) -> None:
        """Run `action` after `delay` seconds (audio finishing, alerting)."""
        asyncio.get_running_loop().call_later(delay, action)

    def _reply(self, lines: list[str]) -> None:
        *info, final = lines
        text = ("\r\n" + "\r\n".join(info) + "\r\n") if info else ""
        self.link.write(f"{text}\r\n{final}\r\n".encode())
