"""SIM and network in the simulated modem: +CPIN (PIN countdown, PUK), +CREG/+CEREG, +COPS, +CSQ."""

from __future__ import annotations

from .sim_core import (
    CME_OPERATION_NOT_ALLOWED,
    CME_SIM_FAILURE,
    CME_SIM_PUK,
    CME_WRONG_PIN,
    Handler,
    SimCore,
    split_args,
)

PUK_EXHAUSTED = "SIM failure"  # ten wrong PUKs: the SIM answers nothing any more


class StatusCommands(SimCore):
    """SIM lock and registration of a simulated modem, and their scenarios."""

    def status_commands(self) -> dict[str, Handler]:
        """Command table entries for SIM and network status."""
        return {"+CPIN": self._cpin, "+CPINR": self._cpinr, "+CREG": self._creg,
                "+CEREG": self._cereg, "+CSQ": lambda a: [f"+CSQ: {self.rssi},99", "OK"],
                "+COPS": self._cops}

    # --- scenario -------------------------------------------------------------

    async def set_registration(self, stat: int) -> None:
        """Registration changes (0 not registered, 1 home, 2 searching, 3 denied, 5 roaming)."""
        self.reg_stat = stat
        if self.creg_n:
            self.urc(f"+CREG: {stat}")
        if self.cereg_n and self.supports_lte:
            self.urc(f"+CEREG: {stat}")

    def lock_sim(self, pin: str, tries: int = 3) -> None:
        """The SIM asks for `pin` at power-up; `tries` wrong PINs lock it (PUK)."""
        self.sim_pin = pin
        self.cpin = "SIM PIN"
        self.pin_tries = tries

    # --- command handlers -------------------------------------------------------

    def _cpin(self, arg: str) -> list[str]:
        if arg.startswith("?"):
            if self.cpin == PUK_EXHAUSTED:
                return [CME_SIM_FAILURE]
            return [f"+CPIN: {self.cpin}", "OK"]
        if self.cpin == "READY":
            return [CME_OPERATION_NOT_ALLOWED]
        if self.cpin == "SIM PUK":
            return self._unblock(split_args(arg[1:]))
        if self.cpin == PUK_EXHAUSTED:
            return [CME_SIM_FAILURE]
        given = split_args(arg[1:])[0]
        if given == self.sim_pin:
            self.cpin = "READY"
            self.pin_tries = 3
            self.later(0.01, lambda: self.urc("+CPIN: READY"))
            return ["OK"]
        self.pin_tries -= 1
        if self.pin_tries <= 0:
            self.cpin = "SIM PUK"
        return [CME_WRONG_PIN]

    def _unblock(self, given: list[str]) -> list[str]:
        # TS 27.007 §8.3 (SIM7600 AT manual, AT+CPIN): while the SIM waits for its PUK,
        # AT+CPIN=<puk>,<newpin> unblocks it and sets <newpin> as the PIN. Without a new
        # PIN the SIM still waits for its PUK (CME 12); a wrong PUK is CME 16 and spends
        # one of its ten tries; after the tenth the SIM is dead for good (CME 13).
        if len(given) < 2 or not given[1]:
            return [CME_SIM_PUK]
        if given[0] == self.sim_puk:
            self.cpin = "READY"
            self.sim_pin = given[1]
            self.pin_tries = 3
            self.puk_tries = 10
            self.later(0.01, lambda: self.urc("+CPIN: READY"))
            return ["OK"]
        self.puk_tries -= 1
        if self.puk_tries <= 0:
            self.cpin = PUK_EXHAUSTED
            return [CME_SIM_FAILURE]
        return [CME_WRONG_PIN]

    def _creg(self, arg: str) -> list[str]:
        if arg.startswith("?"):
            return [f"+CREG: {self.creg_n},{self.reg_stat}", "OK"]
        self.creg_n = int(arg[1:] or 0)
        return ["OK"]

    def _cereg(self, arg: str) -> list[str]:
        if not self.supports_lte:
            return ["ERROR"]
        if arg.startswith("?"):
            return [f"+CEREG: {self.cereg_n},{self.reg_stat}", "OK"]
        self.cereg_n = int(arg[1:] or 0)
        return ["OK"]

    def _cops(self, arg: str) -> list[str]:
        if arg.startswith("?"):
            if self.reg_stat in (1, 5):
                act = 7 if self.supports_lte else 0
                return [f'+COPS: 0,0,"{self.operator}",{act}', "OK"]
            return ["+COPS: 0", "OK"]
        return ["OK"]

    def _cpinr(self, arg: str) -> list[str]:
        # TS 27.007 §8.65: +CPINR: <code>,<retries>,<default retries>
        return [f"+CPINR: SIM PIN,{self.pin_tries},3", f"+CPINR: SIM PUK,{self.puk_tries},10",
                "OK"]
