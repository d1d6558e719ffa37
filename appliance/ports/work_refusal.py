"""Why "take the next one" gave nothing: the agent's own state, or an empty queue."""

from __future__ import annotations


class WorkRefused(Exception):
    """The rules give this agent no work now; `reason` is the presence or activity why.

    One of: busy, away, offline (what the agent said), ringing, on_call, wrap_up (what
    the phone side says), or unknown (not an active agent of this box).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"no work is handed to an agent who is {reason.replace('_', ' ')}")
        self.reason = reason


class NothingToTake(Exception):
    """The queue holds nothing this agent may take."""

    def __init__(self) -> None:
        super().__init__("nothing in the queue for you now")
