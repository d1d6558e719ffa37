"""How a line hands a caller to an agent, and what it has learned about it.

A GSM line can join the caller and the agent three ways (3GPP TS 22.091 ECT,
TS 22.084 multiparty, TS 22.072 deflection); whether the network allows each
depends on the subscription, so the box finds out by trying and remembers.
A fourth needs no network service: with a second line whose call sound also
goes through the box, the agent is dialled there and the box carries the
sound between the two calls (a bridge). The order is fixed: ECT frees the
line; a bridge keeps two lines busy but depends on no carrier; a conference
keeps the box in the call (it sees the end, but the line stays busy);
deflection gives no second try; and a callback is the last resort that
always works.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class ConnectMethod(StrEnum):
    """One way of joining a caller to an agent."""

    ECT = "ect"  # AT+CHLD=4 (SIP: attended transfer): connect the two calls and drop out
    BRIDGE = "bridge"  # the agent dialled on another line; the box carries the sound between
    CONFERENCE = "conference"  # AT+CHLD=3 (SIP: a bridge in the box): join both legs; box stays
    DEFLECT = "deflect"  # AT+CTFR before answering (SIP: blind REFER): the call is sent on
    CALLBACK = "callback"  # none of the above: the agent calls the customer back

    @property
    def needs_answer(self) -> bool:
        """True when the caller must be answered (and held) before the agent is dialled."""
        return self in (ConnectMethod.ECT, ConnectMethod.BRIDGE, ConnectMethod.CONFERENCE)

    @property
    def network_decides(self) -> bool:
        """True when the network may refuse it (a supplementary service): worth learning."""
        return self in (ConnectMethod.ECT, ConnectMethod.CONFERENCE, ConnectMethod.DEFLECT)

    @property
    def one_line(self) -> bool:
        """True when it joins the caller and the agent on the caller's own line."""
        return self is not ConnectMethod.BRIDGE


PREFERENCE: tuple[ConnectMethod, ...] = (
    ConnectMethod.ECT,
    ConnectMethod.BRIDGE,
    ConnectMethod.CONFERENCE,
    ConnectMethod.DEFLECT,
    ConnectMethod.CALLBACK,
)


@dataclass(frozen=True, slots=True)
class ConnectKnowledge:
    """What one line has learned: which methods the network refused, which worked."""

    refused: frozenset[ConnectMethod] = frozenset()
    worked: frozenset[ConnectMethod] = frozenset()

    @property
    def best(self) -> ConnectMethod:
        """The first method joining two calls on this line alone that was not refused.

        A callback dials the customer and the agent on one line, so a bridge is no
        choice for it.
        """
        return self.best_of(tuple(m for m in PREFERENCE if m.one_line))

    def best_of(self, order: tuple[ConnectMethod, ...]) -> ConnectMethod:
        """The first method of a line's own order that was not refused; else a callback."""
        for method in order:
            if method not in self.refused:
                return method
        return ConnectMethod.CALLBACK

    def after(self, method: ConnectMethod, ok: bool) -> ConnectKnowledge:
        """The knowledge after `method` worked (`ok`) or was refused by the network.

        A bridge or a callback is the box's own doing: nothing to learn about the network.
        """
        if not method.network_decides:
            return self
        if ok:
            return ConnectKnowledge(self.refused - {method}, self.worked | {method})
        return ConnectKnowledge(self.refused | {method}, self.worked - {method})

    def fallback(self, method: ConnectMethod) -> ConnectMethod:
        """What to try once `method` has just been refused, for the same call.

        Never a bridge: by then the agent's leg is on this line.
        """
        later = PREFERENCE[PREFERENCE.index(method) + 1 :]
        for candidate in later:
            if candidate.one_line and candidate not in self.refused:
                return candidate
        return ConnectMethod.CALLBACK

    def as_record(self) -> dict[str, list[str]]:
        """A JSON-friendly form, for keeping it across restarts."""
        return {"refused": sorted(self.refused), "worked": sorted(self.worked)}

    @classmethod
    def from_record(cls, record: Mapping[str, Iterable[str]] | None) -> ConnectKnowledge:
        """Read back `as_record`; unknown names (from another version) are ignored."""
        if not record:
            return cls()
        known = {m.value: m for m in ConnectMethod}

        def methods(key: str) -> frozenset[ConnectMethod]:
            return frozenset(known[v] for v in record.get(key, ()) if v in known)

        return cls(methods("refused"), methods("worked"))
