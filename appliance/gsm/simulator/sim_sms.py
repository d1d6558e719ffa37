"""SMS in the simulated modem: SIM storage, +CMTI, AT+CMGR/CMGL/CMGD, AT+CMGS with its prompt.

3GPP TS 27.005 §3.1-§3.5; PDU mode (AT+CMGF=0) stores what the simulated
network delivered (sms_network.py), text mode shows the decoded text.
"""

from __future__ import annotations

from .sim_core import CMS_INVALID_INDEX, Handler, SimCore, StoredSms, split_args


class SmsCommands(SimCore):
    """The SMS side of a simulated modem, and the SMS scenarios."""

    def sms_commands(self) -> dict[str, Handler]:
        """Command table entries for SMS."""
        return {"+CMGF": self._cmgf, "+CNMI": self._cnmi, "+CSCS": lambda a: ["OK"],
                "+CSMP": lambda a: ["OK"], "+CPMS": self._cpms, "+CMGR": self._cmgr,
                "+CMGL": self._cmgl, "+CMGD": self._cmgd, "+CMGS": self._cmgs}

    # --- scenario -------------------------------------------------------------

    def store_sms(self, message: StoredSms) -> int:
        """Put a message in SIM storage; returns its index."""
        index = 1
        while index in self.sms:
            index += 1
        self.sms[index] = message
        return index

    async def sms_arrives(self, sender: str, text: str) -> list[int]:
        """An SMS arrives (one or more parts); +CMTI for each when indications are on."""
        indexes = [self.store_sms(part) for part in self.make_sms(sender, text)]
        if self.cnmi_mt == 1:
            for index in indexes:
                self.urc(f'+CMTI: "SM",{index}')
        return indexes

    def make_sms(self, sender: str, text: str) -> list[StoredSms]:
        """The stored form of an incoming message (PDU parts when the codec is present)."""
        from .sms_network import deliver_parts

        return deliver_parts(sender, text)

    async def delivery_report(self, reference: int, number: str, status: int = 0) -> None:
        """The network reports delivery of a sent message (+CDS, TS 27.005 §3.4.1)."""
        from .sms_network import status_report_pdu

        if self.cnmi_ds != 1:
            return
        if self.cmgf == 1:
            self.urc(f'+CDS: 6,{reference},"{number}",145,"26/11/23,10:15:00+08",'
                     f'"26/11/23,10:15:05+08",{status}')
        else:
            length, pdu = status_report_pdu(reference, number, status)
            self.link.write(f"\r\n+CDS: {length}\r\n{pdu}\r\n".encode())

    # --- command handlers -------------------------------------------------------

    def _cmgf(self, arg: str) -> list[str]:
        if arg.startswith("?"):
            return [f"+CMGF: {self.cmgf}", "OK"]
        self.cmgf = int(arg[1:] or 0)
        return ["OK"]

    def _cnmi(self, arg: str) -> list[str]:
        values = [int(v or 0) for v in split_args(arg[1:])]
        values += [0] * (5 - len(values))
        self.cnmi_mt, self.cnmi_ds = values[1], values[3]
        return ["OK"]

    def _cpms(self, arg: str) -> list[str]:
        used = len(self.sms)
        return [f'+CPMS: "SM",{used},30,"SM",{used},30,"SM",{used},30', "OK"]

    def _cmgr(self, arg: str) -> list[str]:
        try:
            index = int(arg[1:])
        except ValueError:
            return ["+CMS ERROR: 302"]
        message = self.sms.get(index)
        if message is None:
            return [CMS_INVALID_INDEX]
        lines = self._sms_listing(message, None)
        message.unread = False
        return [*lines, "OK"]

    def _sms_listing(self, message: StoredSms, index: int | None) -> list[str]:
        head = f"{index}," if index is not None else ""
        if self.cmgf == 1:
            status = "REC UNREAD" if message.unread else "REC READ"
            prefix = "+CMGL: " if index is not None else "+CMGR: "
            return [f'{prefix}{head}"{status}","{message.sender}",,"{message.timestamp}"',
                    message.text]
        prefix = "+CMGL: " if index is not None else "+CMGR: "
        return [f"{prefix}{head}{0 if message.unread else 1},,{message.tpdu_length}",
                message.pdu_hex]

    def _cmgl(self, arg: str) -> list[str]:
        lines: list[str] = []
        for index, message in sorted(self.sms.items()):
            lines += self._sms_listing(message, index)
        return [*lines, "OK"]

    def _cmgd(self, arg: str) -> list[str]:
        index = int(split_args(arg[1:])[0] or 0)
        if index not in self.sms:
            return [CMS_INVALID_INDEX]
        del self.sms[index]
        self.deleted_sms.append(index)
        return ["OK"]

    def _cmgs(self, arg: str) -> list[str] | None:
        if not arg[1:].strip():
            return ["ERROR"]  # a length (PDU mode) or a number (text mode) is required
        self._sms_target = split_args(arg[1:])[0]
        self._sms_body = bytearray()
        self.link.write(b"\r\n> ")  # TS 27.005 §3.5.1: no line end after the prompt
        return None

    def send_sms(self, target: str, body: str) -> list[str]:
        """A message was given to the network: record it and answer +CMGS: <mr>."""
        if self.reg_stat not in (1, 5):
            return ["+CMS ERROR: 331"]
        self.sent_sms.append(f"{target}:{body}" if self.cmgf == 1 else body)
        reference = self._next_mr
        self._next_mr = (self._next_mr + 1) % 256
        return [f"+CMGS: {reference}", "OK"]
