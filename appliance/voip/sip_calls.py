"""The calls of the VoIP line: Aspa's id, baresip's id, and how each call ended."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

# RFC 3261 §26.3.1 / RFC 3323: a withheld caller often arrives as sip:anonymous@anonymous.invalid
_ANONYMOUS: Final = ("anonymous", "restricted", "unknown", "")
_PHONE_USER: Final = re.compile(r"^\+?[0-9]{2,20}$")
_USER_PART: Final = re.compile(r"^sips?:([^@;>]*)@")
_STATUS_CODE: Final = re.compile(r"^([3-6][0-9]{2})\b")
# SIP final responses (RFC 3261 §21) that mean "the person did not take it".
BUSY_CODES: Final = frozenset({486, 600, 603})
NO_ANSWER_CODES: Final = frozenset({408, 480, 487})


def caller_number(peer_uri: str) -> tuple[str | None, str]:
    """The caller's number and its status (valid / withheld) from the From URI."""
    match = _USER_PART.match(peer_uri)
    user = match.group(1) if match else ""
    if user.lower() in _ANONYMOUS or "anonymous.invalid" in peer_uri:
        return None, "withheld"
    if _PHONE_USER.match(user):
        return user, "valid"
    return peer_uri, "valid"  # a SIP caller without a number: its URI is how to call back


def closing_outcome(reason: str, *, incoming: bool, answered: bool) -> str:
    """How a call ended, from baresip's CALL_CLOSED reason (`486 Busy Here`, `Connection...`)."""
    if answered:
        return "answered"
    if incoming:
        return "missed"
    match = _STATUS_CODE.match(reason.strip())
    code = int(match.group(1)) if match else 0
    if code in BUSY_CODES:
        return "busy"
    if code in NO_ANSWER_CODES:
        return "no_answer"
    return "failed"


@dataclass
class SipCall:
    """One call on the VoIP line (a caller, or a leg the box dialled)."""

    incoming: bool
    peer_uri: str
    started_at: datetime
    state: str  # incoming / dialing / alerting / active / held / ended (as CallStateChanged)
    sip_id: str | None = None  # baresip's id (the SIP Call-ID); unknown for a fresh dial
    number: str | None = None
    number_status: str = "valid"
    answered_at: datetime | None = None
    planned_outcome: str | None = None  # set before a command that ends it (transfer, reject)
    close_reason: str = ""
    call_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    def outcome(self) -> str:
        """How the call ended, from the line's point of view."""
        if self.planned_outcome:
            return self.planned_outcome
        return closing_outcome(self.close_reason, incoming=self.incoming,
                               answered=self.answered_at is not None)
