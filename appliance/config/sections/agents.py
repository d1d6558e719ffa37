"""The `[[agents]]` list: the people who take calls and tickets, kept in sync with the store."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config import value_checks
from appliance.config.schema import non_empty, one_of, setting

ROLES = ("agent", "admin")


@dataclass(frozen=True)
class AgentSettings:
    """One agent: login, how to ring them, teams and role."""

    login: str = setting(doc="Login name, also used in ring_groups members",
                         check=value_checks.login)
    name: str = setting(doc="Full name shown on the web page", check=non_empty)
    phone: str = setting(
        "", "Mobile number rung for calls, E.164 (+358401234567); empty = none",
        check=value_checks.e164)
    sip_uri: str = setting(
        "", "SIP address rung for calls (sip:anna@pbx.example.fi); empty = none",
        check=value_checks.sip_uri)
    teams: list[str] = setting(doc="Teams the agent belongs to, e.g. ['myynti', 'tuki']",
                               factory=list)
    role: str = setting("agent", "agent (takes work) or admin (also sets the box up)",
                        check=one_of(*ROLES))

    @property
    def reachable(self) -> bool:
        """Whether a call can ring this agent."""
        return bool(self.phone or self.sip_uri)
