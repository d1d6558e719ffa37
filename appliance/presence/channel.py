"""The channels a work item can come in on, and which of them are live voice."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """How a piece of work reaches an agent."""

    CALL = "call"
    CALLBACK = "callback"
    SMS = "sms"
    EMAIL = "email"

    @property
    def is_live_voice(self) -> bool:
        """True for work that occupies the agent's phone: a live call or a callback to dial."""
        return self in (Channel.CALL, Channel.CALLBACK)
