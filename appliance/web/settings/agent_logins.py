"""The logins a setting may name: the active agents (a breached ticket may go to one)."""

from __future__ import annotations

from appliance.store.models import Agent


def active_logins() -> list[str]:
    """The active agents' logins in order. Blocking: runs in the store thread."""
    rows = Agent.select(Agent.login).where(Agent.active == True)  # noqa: E712
    return sorted(str(a.login) for a in rows)
