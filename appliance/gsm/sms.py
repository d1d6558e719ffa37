"""SMS on one line: receive (+CMTI -> AT+CMGR -> stored by the handler -> AT+CMGD), send, reports.

PDU mode throughout (3GPP TS 27.005 §3.1 with AT+CMGF=0): the text is decoded
by appliance.gsm.pdu, long messages are joined by SmsReassembler, and a
message is deleted from the SIM only after the handler confirmed it is stored.
"""

from __future__ import annotations

import asyncio
import itertools
import logging

from appliance.ports.sms_inbox import IncomingSms, SmsSink
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.events import SmsDeliveryReport, SmsReceived, SmsSent

from .at_channel import AtChannel
from .errors import ChannelClosed, ModemError
from .pdu import PduError, SmsDeliver, SmsStatusReport, decode_pdu, encode_submit
from .response_fields import split_fields
from .sms_reassembly import ReassembledSms, SmsReassembler

log = logging.getLogger("aspa.gsm.sms")

SEND_TIMEOUT_S = 60.0  # TS 27.005 §3.5.1: the network may take long to accept a message
_RECEIVED_STATES = {"0", "1"}  # +CMGL <stat> in PDU mode: received unread / read


class SmsService:
    """SMS for one modem; the driver hands it the channel after each (re)attach."""

    def __init__(self, line: str, bus: EventBus, clock: Clock, sink: SmsSink | None) -> None:
        self.line = line
        self.bus = bus
        self.clock = clock
        self.sink = sink
        self.channel: AtChannel | None = None
        self.reassembler = SmsReassembler()
        self._held: dict[int, int] = {}  # id(SmsDeliver part) -> SIM index, while parts wait
        self._raw: dict[int, str] = {}  # SIM index -> PDU hex
        self._lock = asyncio.Lock()
        self._references = itertools.count(1)
        self.listing_due = True  # the SIM must be listed: at attach, and after a failed listing

    def attach(self, channel: AtChannel) -> None:
        """Use a newly opened channel; what was on the SIM is listed again (collect_stored).

        Indexes read but not stored before the port went (a fetch cut off by an unplug, a
        delete that never reached the modem) are forgotten, so the listing takes them in
        again; the sink files each message once however often it comes. Parts held for
        a long message's missing parts stay known.
        """
        self.channel = channel
        held = set(self._held.values())
        self._raw = {index: pdu for index, pdu in self._raw.items() if index in held}
        self.listing_due = True

    def _channel(self) -> AtChannel:
        if self.channel is None or not self.channel.is_open:
            raise ChannelClosed(f"{self.line}: modem not connected")
        return self.channel

    # --- receiving -------------------------------------------------------------

    async def fetch(self, index: int) -> None:
        """Read message `index` (after +CMTI) and hand it on."""
        async with self._lock:
            if index in self._raw:
                return
            response = await self._channel().command(f"AT+CMGR={index}", prefix="+CMGR:")
            lines = list(response.lines)
            for position, line in enumerate(lines):
                if line.startswith("+CMGR:") and position + 1 < len(lines):
                    await self._take(index, lines[position + 1])
                    return

    async def collect_stored(self) -> int:
        """Take every received message already on the SIM (arrived while Aspa was away, or
        whose +CMTI was missed); on failure the listing stays due for the next try."""
        async with self._lock:
            self.listing_due = True
            response = await self._channel().command("AT+CMGL=4", prefix="+CMGL:", time_limit=30)
            self.listing_due = False
            lines = list(response.lines)
            taken = 0
            for position, line in enumerate(lines):
                if not line.startswith("+CMGL:") or position + 1 >= len(lines):
                    continue
                fields = split_fields(line.split(":", 1)[1])
                if len(fields) < 2 or not fields[0].isdigit() or fields[1] not in _RECEIVED_STATES:
                    continue
                index = int(fields[0])
                if index not in self._raw:
                    await self._take(index, lines[position + 1])
                    taken += 1
            return taken

    async def _take(self, index: int, pdu_hex: str) -> None:
        now = self.clock.now()
        self._raw[index] = pdu_hex
        try:
            message = decode_pdu(pdu_hex)
        except PduError as error:
            await self._deliver(IncomingSms(self.line, "", "", None, now, (index,), (pdu_hex,),
                                            complete=False, error=f"undecodable PDU: {error}"))
            return
        if not isinstance(message, SmsDeliver):
            await self._deliver(IncomingSms(
                self.line, "", "", None, now, (index,), (pdu_hex,), complete=False,
                error=f"not an incoming message: {type(message).__name__}"))
            return
        self._held[id(message)] = index
        for whole in self.reassembler.add(message, now):
            await self._deliver_whole(whole)

    async def expire(self) -> None:
        """Hand on long messages whose missing parts did not come in time."""
        async with self._lock:
            for whole in self.reassembler.expire(self.clock.now()):
                await self._deliver_whole(whole)

    async def _deliver_whole(self, whole: ReassembledSms) -> None:
        indexes = tuple(self._held.pop(id(p)) for p in whole.parts if id(p) in self._held)
        await self._deliver(IncomingSms(
            self.line, whole.sender.value, whole.text, whole.timestamp, whole.received_at,
            indexes, tuple(self._raw.get(i, "") for i in indexes), whole.is_complete))

    async def _deliver(self, sms: IncomingSms) -> None:
        if self.sink is None:
            log.warning("%s: no SMS handler; message kept on the SIM at %s", self.line,
                        sms.sim_indexes)
            return
        try:
            await self.sink(sms)
        except Exception:
            log.exception("%s: SMS handler failed; message kept on the SIM at %s", self.line,
                          sms.sim_indexes)
            for index in sms.sim_indexes:
                self._raw.pop(index, None)  # so that a later +CMTI or restart tries again
            return
        channel = self._channel()
        for index in sms.sim_indexes:
            try:
                await channel.command(f"AT+CMGD={index}")
            except ModemError as error:
                log.warning("%s: could not delete SMS %d from the SIM: %s", self.line, index,
                            error)
            self._raw.pop(index, None)
        if sms.error is None:
            self.bus.publish(SmsReceived(at=self.clock.now(), line=self.line, number=sms.number,
                                         text=sms.text))

    def on_cmti(self, line: str, _next: str | None) -> asyncio.Task[None]:
        """+CMTI: "SM",<index> (TS 27.005 §3.4.1): fetch it in a task, never in the reader."""
        fields = split_fields(line.split(":", 1)[1])
        index = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else -1
        return asyncio.get_running_loop().create_task(self._fetch_logged(index))

    async def _fetch_logged(self, index: int) -> None:
        if index < 0:
            log.warning("%s: +CMTI without an index", self.line)
            return
        try:
            await self.fetch(index)
        except ModemError as error:
            log.warning("%s: reading SMS %d failed (%s); it stays on the SIM", self.line,
                        index, error)

    # --- delivery reports --------------------------------------------------------

    def on_cds(self, head: str, body: str | None) -> None:
        """+CDS: <length> then the status-report PDU on the next line (TS 27.005 §3.4.1)."""
        try:
            report = decode_pdu(body or "")
        except PduError as error:
            log.warning("%s: undecodable delivery report %r: %s", self.line, body, error)
            return
        if not isinstance(report, SmsStatusReport):
            log.warning("%s: +CDS carried a %s", self.line, type(report).__name__)
            return
        self.bus.publish(SmsDeliveryReport(
            at=self.clock.now(), line=self.line, reference=report.message_reference,
            number=report.recipient.value, outcome=report.outcome.value, status=report.status))

    # --- sending -------------------------------------------------------------------

    async def send(self, number: str, text: str, *, status_report: bool = True) -> tuple[int, ...]:
        """Send `text` (as concatenated parts when long); return the message references."""
        parts = encode_submit(number, text, concat_reference=next(self._references) % 256,
                              status_report=status_report)
        channel = self._channel()
        references: list[int] = []
        for part in parts:
            response = await channel.command_with_body(
                f"AT+CMGS={part.tpdu_length}", part.pdu, prefix="+CMGS:", time_limit=SEND_TIMEOUT_S)
            value = response.value("+CMGS:") or ""
            references.append(int(value) if value.isdigit() else -1)
        self.bus.publish(SmsSent(at=self.clock.now(), line=self.line, number=number,
                                 references=tuple(references)))
        return tuple(references)
