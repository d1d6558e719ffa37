"""What the exchange routes by: ring groups, agents' numbers, business hours and the rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from appliance.queue.call_setup import FlowRules, group_for_line
from appliance.queue.ring_group import RingGroup
from appliance.tickets.business_calendar import BusinessCalendar


@dataclass(frozen=True)
class ExchangePlan:
    """The routing configuration, with agents as store ids."""

    groups: Mapping[str, RingGroup]
    numbers: Mapping[int, str]  # agent id -> phone number to dial
    default_group: str = ""  # empty: the first group
    rules: FlowRules = field(default_factory=FlowRules)
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar.twenty_four_seven)
    missed_limit: int = 3  # offers missed in a row before an agent is paused; 0 = never
    service_level_s: float = 30.0  # "answered within" for the service-level figure
    callback_retry_minutes: tuple[int, ...] = (15, 60, 240)  # after each failed callback try
    callback_ring_timeout_s: float = 30.0  # how long a callback rings the customer / the agent
    sip_uris: Mapping[int, str] = field(default_factory=dict)  # agent id -> exchange / soft phone

    def reach(self, *, dials_sip: bool = False) -> dict[int, str]:
        """What a line dials for each agent: a SIP line prefers the SIP phone, else the number."""
        if not dials_sip:
            return dict(self.numbers)
        return {**self.numbers, **self.sip_uris}

    def line_groups(
        self, *, rings_parallel: bool = False, dials_sip: bool = False
    ) -> dict[str, RingGroup]:
        """Every group as a line rings it (reachable members); groups nobody can ring drop out."""
        usable: dict[str, RingGroup] = {}
        for name, group in self.groups.items():
            adapted = group_for_line(group, self.reach(dials_sip=dials_sip),
                                     rings_parallel=rings_parallel, dials_sip=dials_sip)
            if adapted is not None:
                usable[name] = adapted
        return usable

    @property
    def first_group(self) -> str | None:
        """The name of the group that answers the company number."""
        if self.default_group:
            return self.default_group
        return next(iter(self.groups), None)
