"""The commands every real module answers, so any AT client can drive the simulator.

3GPP TS 27.005 §3.3.1 (+CSCA service centre), TS 27.007 §5.5 (+CSCS
character sets, with the list its test form gives), §5.6 (+CIMI), §7.1
(+CNUM), §8.37 (+CLAC: every command the module knows), §8.71 (+CIREG, IMS
registration, on LTE models).
"""

from __future__ import annotations

from .sim_core import Handler, SimCore, split_args

CHARACTER_SETS = ("IRA", "GSM", "UCS2")
SMSC = "+358405202000"


class StandardCommands(SimCore):
    """+CSCA, +CSCS, +CIMI, +CNUM, +CLAC and +CIREG."""

    imsi = "244051234567890"
    own_number = "+358401111111"
    charset = "IRA"
    ims_registered = False
    commands: dict[str, Handler]

    def standard_commands(self) -> dict[str, Handler]:
        """Command table entries answered the 27.007 way."""
        table: dict[str, Handler] = {
            "+CSCA": self._csca, "+CSCS": self._cscs,
            "+CIMI": lambda a: [self.imsi, "OK"],
            "+CNUM": lambda a: [f'+CNUM: "","{self.own_number}",145', "OK"],
            "+CLAC": self._clac,
        }
        if self.supports_lte:
            table["+CIREG"] = self._cireg
        return table

    def _csca(self, arg: str) -> list[str]:
        if arg.startswith("?"):
            return [f'+CSCA: "{SMSC}",145', "OK"]
        return ["OK"]

    def _cscs(self, arg: str) -> list[str]:
        if arg == "=?":
            return ["+CSCS: (" + ",".join(f'"{c}"' for c in CHARACTER_SETS) + ")", "OK"]
        if arg.startswith("?"):
            return [f'+CSCS: "{self.charset}"', "OK"]
        wanted = split_args(arg[1:])[0]
        if wanted not in CHARACTER_SETS:
            return ["+CME ERROR: 4"]
        self.charset = wanted
        return ["OK"]

    def _clac(self, arg: str) -> list[str]:
        names = sorted(self.commands)
        return [*(f"AT{name}" for name in names), "OK"]

    def _cireg(self, arg: str) -> list[str]:
        if arg.startswith("?"):
            return [f"+CIREG: 0,{int(self.ims_registered)}", "OK"]
        return ["OK"]
