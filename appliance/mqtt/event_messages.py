"""Which bus events go out as MQTT events, under which topic word, with which JSON payload.

Payloads carry ids, times, counts and line names, never a caller's number,
an SMS text or a mail subject: a central broker is often shared, and the
box's own web page is where personal data is shown.
"""

from __future__ import annotations

import json
from typing import Any

from appliance.spine.events import (
    CallAnswered,
    CallEnded,
    CallOffered,
    Event,
    SlaBreached,
    SlaWarning,
    SmsReceived,
    TicketCreated,
    TicketMerged,
    TicketPriorityChanged,
    TicketStatusChanged,
    VoicemailReceived,
)

PUBLISHED_EVENTS: tuple[type[Event], ...] = (
    CallOffered, CallAnswered, CallEnded, TicketCreated, TicketStatusChanged, SmsReceived,
    TicketPriorityChanged, TicketMerged, VoicemailReceived, SlaWarning, SlaBreached,
)
# Call outcomes with their own event topic; an answered call's end is `call-ended`.
_OWN_OUTCOMES = frozenset({"missed", "abandoned", "overflowed"})
_RESOLVED = frozenset({"resolved", "closed"})
EVENT_KINDS = (
    "call-offered", "call-answered", "call-missed", "call-abandoned", "call-overflowed",
    "call-ended", "ticket-created", "ticket-resolved", "ticket-priority", "ticket-merged",
    "sms-received", "voicemail-received", "ticket-sla-warning", "ticket-sla-breached",
)


def event_message(event: Event, box: str) -> tuple[str, str] | None:
    """(topic word, JSON payload) for an event that is published, else None."""
    kind_and_fields = _describe(event)
    if kind_and_fields is None:
        return None
    kind, fields = kind_and_fields
    payload: dict[str, Any] = {
        "event_id": event.event_id,
        "kind": kind,
        "box": box,
        "at": event.at.isoformat(),
        **fields,
    }
    return kind, json.dumps(payload, separators=(",", ":"), sort_keys=True)


def _describe(event: Event) -> tuple[str, dict[str, Any]] | None:
    if isinstance(event, CallOffered):
        return "call-offered", {"call_id": event.call_id, "line": event.line,
                                "number_status": event.number_status,
                                "customer_id": event.customer_id}
    if isinstance(event, CallAnswered):
        return "call-answered", {"call_id": event.call_id, "agent_id": event.agent_id,
                                 "wait_seconds": round(event.wait_seconds, 1)}
    if isinstance(event, CallEnded):
        kind = f"call-{event.outcome}" if event.outcome in _OWN_OUTCOMES else "call-ended"
        return kind, {"call_id": event.call_id, "outcome": event.outcome,
                      "wait_seconds": round(event.wait_seconds, 1),
                      "talk_seconds": round(event.talk_seconds, 1)}
    if isinstance(event, TicketCreated):
        return "ticket-created", {"ticket": event.number, "channel": event.channel,
                                  "priority": event.priority}
    if isinstance(event, TicketStatusChanged):
        if event.new_status in _RESOLVED and event.old_status not in _RESOLVED:
            return "ticket-resolved", {"ticket": event.number, "status": event.new_status}
        return None
    if isinstance(event, TicketPriorityChanged):
        return "ticket-priority", {"ticket": event.number, "old_priority": event.old_priority,
                                   "priority": event.new_priority}
    if isinstance(event, TicketMerged):
        return "ticket-merged", {"ticket": event.number, "into": event.into_number}
    if isinstance(event, VoicemailReceived):
        return "voicemail-received", {"call_id": event.call_id, "ticket_id": event.ticket_id,
                                      "customer_id": event.customer_id,
                                      "seconds": round(event.seconds, 1)}
    if isinstance(event, SlaWarning | SlaBreached):
        kind = "ticket-sla-breached" if isinstance(event, SlaBreached) else "ticket-sla-warning"
        return kind, {"ticket_id": event.ticket_id, "due": event.due.isoformat(),
                      "assignee_id": event.assignee_id, "team_id": event.team_id}
    if isinstance(event, SmsReceived):
        return "sms-received", {"line": event.line, "customer_id": event.customer_id,
                                "ticket_id": event.ticket_id, "characters": len(event.text)}
    return None
