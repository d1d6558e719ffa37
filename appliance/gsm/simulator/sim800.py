"""SIMCom SIM800: +CLCC URCs (AT+CLCC=1), NO CARRIER, +DTMF, CREC for prompts; 2G only."""

from __future__ import annotations

from .modem import Handler, SimulatedModem, split_args
from .sim_call import ACTIVE, SimCall


class Sim800(SimulatedModem):
    """SIM800C as it answers over its UART."""

    manufacturer = "SIMCOM_Ltd"
    model = "SIMCOM_SIM800C"
    revision = "Revision:1418B04SIM800C32"
    imei = "869170031234567"
    ati_lines = ("SIM800 R14.18",)
    supports_clcc_urc = True

    def clip_line(self, call: SimCall) -> str:
        # SIM800 prints every field, empty ones as "" (SIM800 Series AT Command Manual, AT+CLIP)
        return f'+CLIP: "{call.shown_number}",{call.number_type},"",0,"",{call.validity}'

    def clcc_line(self, call: SimCall) -> str:
        return f'+CLCC: {call.clcc_fields()},""'

    def dtmf_line(self, digit: str) -> str | None:
        return f"+DTMF: {digit}"

    def model_commands(self) -> dict[str, Handler]:
        return {"+DDET": self._ddet, "+CREC": self._crec, **self.fs_commands(),
                "+SPIC": lambda a: [f"+SPIC: {self.pin_tries},3,10,10", "OK"]}

    def _ddet(self, arg: str) -> list[str]:
        if not self.detects_dtmf:
            return ["ERROR"]
        self.dtmf_detect = arg[1:].strip().startswith("1")
        return ["OK"]

    def _crec(self, arg: str) -> list[str]:
        args = split_args(arg[1:])
        if args[0] == "5":
            return ["OK"]
        if args[0] != "4" or len(args) < 2:
            return ["+CME ERROR: 4"]
        if not any(c.stat == ACTIVE for c in self.calls):
            return ["+CME ERROR: 3"]
        self.played.append(args[1])
        self.later(self.prompt_seconds, lambda: self.urc("+CREC: 0"))
        return ["OK"]
