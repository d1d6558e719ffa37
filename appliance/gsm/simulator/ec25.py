"""Quectel EC25: +QIND: "ccinfo" call-state URCs, +QTONEDET, QPSND and QTTS for prompts."""

from __future__ import annotations

from .modem import Handler, SimulatedModem, split_args
from .sim_call import ACTIVE, RELEASED, SimCall


class Ec25(SimulatedModem):
    """EC25-E as it answers over its USB AT port."""

    manufacturer = "Quectel"
    model = "EC25"
    revision = "EC25EFAR06A06M4G"
    imei = "866758041234567"
    ati_lines = ("Quectel", "EC25", "Revision: EC25EFAR06A06M4G")
    supports_lte = True
    # the USB audio card (UAC) path: the simulator has no card of its own; a test that gives
    # the host one (an ALSA stand-in) sets this, and AT+QPCMV=1,2 is then accepted
    uac_card = False

    def _reset_settings(self) -> None:
        super()._reset_settings()
        self.ccinfo = False
        self.uac_streaming = False
        if not hasattr(self, "ims_setting"):
            self.ims_setting = 0  # kept in the module's NV, not reset by a replug

    def on_state(self, call: SimCall) -> None:
        if self.ccinfo:
            fields = call.clcc_fields()
            if call.stat == RELEASED:  # an ended call is reported with state -1
                fields = fields.replace(f"{call.index},{int(call.incoming)},{RELEASED},",
                                        f"{call.index},{int(call.incoming)},-1,", 1)
            self.urc(f'+QIND: "ccinfo",{fields}')

    def dtmf_line(self, digit: str) -> str | None:
        return f"+QTONEDET: {ord(digit)}"  # the key as its ASCII code (EC25 AT manual)

    def model_commands(self) -> dict[str, Handler]:
        return {"+QINDCFG": self._qindcfg, "+QTONEDET": self._qtonedet, "+QPSND": self._qpsnd,
                "+QTTS": self._qtts, "+QPCMV": self._qpcmv, "+QFUPL": self.qfupl,
                "+QFDEL": self.qfdel, "+QCFG": self._qcfg,
                "+QPINC": lambda a: [f'+QPINC: "SC",{self.pin_tries},10', "OK"]}

    def _qpcmv(self, arg: str) -> list[str]:
        # Quectel: AT+QPCMV=<enable>[,<port>]: port 0 USB serial, 2 USB audio (UAC)
        if arg.startswith("?"):
            on = self.voice.streaming or self.uac_streaming
            return [f"+QPCMV: {int(on)},{2 if self.uac_streaming else 0}", "OK"]
        args = split_args(arg[1:])
        if args[0] == "0":
            self.voice.stop()
            self.uac_streaming = False
            return ["OK"]
        port = (args[1:] or ["0"])[0]
        if args[0] != "1" or port not in ("0", "2") or (port == "2" and not self.uac_card):
            return ["ERROR"]  # no USB audio card to offer, or no such port
        self.uac_streaming = port == "2"
        if not self.uac_streaming:
            self.voice.start()  # the serial voice port; on UAC the card carries the sound
        return ["OK"]

    def _qcfg(self, arg: str) -> list[str]:
        args = split_args(arg[1:])
        if args[0] != "ims":
            return ["ERROR"]
        if len(args) > 1:
            self.ims_setting = int(args[1])
            return ["OK"]
        return [f'+QCFG: "ims",{self.ims_setting}', "OK"]

    def _qindcfg(self, arg: str) -> list[str]:
        args = split_args(arg[1:])
        if args[0] == "ccinfo" and len(args) > 1:
            self.ccinfo = args[1] == "1"
            return ["OK"]
        return ["+CME ERROR: 4"]

    def _qtonedet(self, arg: str) -> list[str]:
        if not self.detects_dtmf:
            return ["ERROR"]
        self.dtmf_detect = arg[1:].strip() == "1"
        return ["OK"]

    def _qpsnd(self, arg: str) -> list[str]:
        args = split_args(arg[1:])
        if args[0] == "0":
            return ["OK"]
        if not any(c.stat == ACTIVE for c in self.calls):
            return ["+CME ERROR: 3"]
        self.played.append(args[1])
        self.later(self.prompt_seconds, lambda: self.urc("+QPSND: 0"))
        return ["OK"]

    def _qtts(self, arg: str) -> list[str]:
        args = split_args(arg[1:])
        if args[0] == "0":
            return ["OK"]
        self.later(self.prompt_seconds, lambda: self.urc("+QTTS: 0"))
        return ["OK"]
