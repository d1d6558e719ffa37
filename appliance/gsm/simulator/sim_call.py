"""One call as the simulated network and modem see it (the fields of +CLCC)."""

from __future__ import annotations

from dataclasses import dataclass

# 3GPP TS 27.007 §7.18 <stat>
ACTIVE, HELD, DIALING, ALERTING, INCOMING, WAITING = 0, 1, 2, 3, 4, 5
RELEASED = 6  # vendor extension (SIMCom +CLCC URCs, Quectel ^DSCI / ccinfo)


@dataclass
class SimCall:
    """A call's index, direction, state and the other party."""

    index: int
    incoming: bool
    stat: int
    number: str = ""
    validity: int = 0  # CLI validity (TS 27.007 §7.6): 0 valid, 1 withheld, 2 unavailable
    mpty: bool = False
    name: str = ""
    connected_at: float | None = None

    @property
    def number_type(self) -> int:
        """TS 24.008 §10.5.4.7 type of number: 145 international, 129 national, 128 none."""
        if not self.number or self.validity:
            return 128
        return 145 if self.number.startswith("+") else 129

    @property
    def shown_number(self) -> str:
        return "" if self.validity else self.number

    def clcc_fields(self) -> str:
        """The fields after `+CLCC: ` for this call."""
        return (f'{self.index},{int(self.incoming)},{self.stat},'
                f'0,{int(self.mpty)},"{self.shown_number}",{self.number_type}')
