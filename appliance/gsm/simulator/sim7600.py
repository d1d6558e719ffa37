"""SIMCom SIM7600: VOICE CALL: BEGIN/END, +RXDTMF, CCMXPLAY, CTTS; silent when a ring is missed."""

from __future__ import annotations

import time

from .modem import Handler, SimulatedModem, split_args
from .sim_call import ACTIVE, SimCall


class Sim7600(SimulatedModem):
    """SIM7600E-H as it answers over its USB AT port."""

    manufacturer = "SIMCOM INCORPORATED"
    model = "SIMCOM_SIM7600E-H"
    revision = "LE11B14SIM7600M22"
    imei = "862636051234567"
    ati_lines = ("Manufacturer: SIMCOM INCORPORATED", "Model: SIMCOM_SIM7600E-H",
                 "Revision: SIM7600M22_V2.0", "IMEI: 862636051234567", "+GCAP: +CGSM")
    supports_lte = True
    missed_call_urc = False  # firmware-dependent; off by default so the driver must poll +CLCC

    def cgmr_line(self) -> str:
        return f"+CGMR: {self.revision}"

    def on_connected(self, call: SimCall) -> None:
        self.urc("VOICE CALL: BEGIN")

    def _end_line(self, call: SimCall) -> str:
        seconds = int(time.monotonic() - (call.connected_at or time.monotonic()))
        hours, rest = divmod(seconds, 3600)
        return f"VOICE CALL: END: {hours:02d}{rest // 60:02d}{rest % 60:02d}"

    def remote_end_urcs(self, call: SimCall) -> list[str]:
        if call.connected_at is not None:
            return [self._end_line(call)]
        if call.incoming and self.missed_call_urc:
            return [f"MISSED_CALL: 10:15AM {call.shown_number}"]
        return []  # no call-termination URC: only +CLCC polling notices (chan_quectel)

    def local_end_urcs(self, call: SimCall) -> list[str]:
        return [self._end_line(call)] if call.connected_at is not None else []

    def dtmf_line(self, digit: str) -> str | None:
        return f"+RXDTMF: {digit}"

    def model_commands(self) -> dict[str, Handler]:
        return {"+DDET": self._ddet, "+CCMXPLAY": self._play, "+CCMXSTOP": lambda a: ["OK"],
                "+CTTS": self._tts, "+CPCMREG": self._cpcmreg, "+CFTRANRX": self.cftranrx,
                "+SPIC": lambda a: [f"+SPIC: {self.pin_tries},10,3,10", "OK"]}

    def _cpcmreg(self, arg: str) -> list[str]:
        # SIM7600 manual, AT+CPCMREG; accepted only with a connected call (see voice_path.py)
        if arg.startswith("?"):
            return [f"+CPCMREG: {int(self.voice.streaming)}", "OK"]
        value = arg[1:].strip()
        if value == "0":
            self.voice.stop()
            return ["OK"]
        if value != "1" or not any(c.stat == ACTIVE for c in self.calls):
            return ["ERROR"]
        self.voice.start()
        return ["OK"]

    def _ddet(self, arg: str) -> list[str]:
        if not self.detects_dtmf:
            return ["ERROR"]
        self.dtmf_detect = arg[1:].strip().startswith("1")
        return ["OK"]

    def _play(self, arg: str) -> list[str]:
        if not any(c.stat == ACTIVE for c in self.calls) or not arg.startswith("="):
            return ["+CME ERROR: 3"]
        self.played.append(split_args(arg[1:])[0])
        self.urc("+AUDIOSTATE: audio play")
        self.later(self.prompt_seconds, lambda: self.urc("+AUDIOSTATE: audio play stop"))
        return ["OK"]

    def _tts(self, arg: str) -> list[str]:
        args = split_args(arg[1:])
        if args[0] == "0":
            return ["OK"]
        if args[0] not in ("1", "2") or len(args) < 2:
            return ["+CME ERROR: 4"]
        self.later(self.prompt_seconds, lambda: self.urc("+CTTS: 0"))
        return ["OK"]
