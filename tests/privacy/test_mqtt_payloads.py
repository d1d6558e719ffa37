"""MQTT carries no personal data: erasure never has to reach into a broker's retained store."""

from __future__ import annotations

from datetime import UTC, datetime

from appliance.mqtt.event_messages import PUBLISHED_EVENTS, event_message
from appliance.mqtt.retained_state import RetainedState
from appliance.spine.events import (
    CallAnswered,
    CallEnded,
    CallOffered,
    SlaBreached,
    SlaWarning,
    SmsReceived,
    TicketCreated,
    TicketMerged,
    TicketPriorityChanged,
    TicketStatusChanged,
    VoicemailReceived,
)

AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NUMBER = "+358401234567"
TEXT = "Soittakaa minulle PUNAINEN-42"
SUBJECT = "Lasku TUNNUS-4711 puuttuu"


def test_no_published_event_carries_a_number_a_text_or_a_subject() -> None:
    events = [
        CallOffered(at=AT, call_id="c1", line="gsm0", number=NUMBER, customer_id=7),
        CallAnswered(at=AT, call_id="c1", agent_id=1, wait_seconds=4.0),
        CallEnded(at=AT, call_id="c1", outcome="abandoned"),
        TicketCreated(at=AT, number=1001, channel="sms", subject=SUBJECT, priority="normal"),
        TicketStatusChanged(at=AT, number=1001, old_status="new", new_status="resolved"),
        SmsReceived(at=AT, line="gsm0", number=NUMBER, text=TEXT),
        TicketPriorityChanged(at=AT, number=1001, old_priority="normal", new_priority="urgent"),
        TicketMerged(at=AT, number=1002, into_ticket_id=1, into_number=1001),
        VoicemailReceived(at=AT, call_id="c1", seconds=12.5, ticket_id=3, customer_id=7),
        SlaWarning(at=AT, ticket_id=3, customer_id=7, due=AT, assignee_id=1),
        SlaBreached(at=AT, ticket_id=3, customer_id=7, due=AT, assignee_id=1, tell_team=True),
    ]
    assert {type(e) for e in events} == set(PUBLISHED_EVENTS)  # every published kind is tried
    for event in events:
        message = event_message(event, "office")
        assert message is not None
        payload = message[1]
        for secret in (NUMBER, NUMBER[1:], "401234567", "PUNAINEN", "TUNNUS-4711"):
            assert secret not in payload, (event.kind, payload)


def test_retained_topics_are_figures_lines_and_mailboxes_only() -> None:
    # a broker keeps the last retained value for ever: only counts and states may go there, and
    # a new kind of retained topic must be checked for personal data before it joins this list
    public = [name for name in dir(RetainedState) if name.startswith("set_")]
    assert sorted(public) == ["set_figures", "set_line", "set_mailbox"]
