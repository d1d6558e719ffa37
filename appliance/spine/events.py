"""Typed events: every state change in Aspa is one of these, and is recorded.

Adapters and the switchboard publish them on the bus (appliance.spine.bus);
the web page, MQTT, the LEDs and the history writer subscribe.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event: when it happened and whom it concerns."""

    kind: ClassVar[str] = "event"
    at: datetime
    customer_id: int | None = None
    ticket_id: int | None = None
    agent_id: int | None = None
    event_id: str = field(default_factory=_new_id)

    def payload(self) -> dict[str, Any]:
        """The event as plain JSON-ready data (datetimes as ISO strings)."""
        data: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            data[f.name] = value
        return data


# --- presence -----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceChanged(Event):
    """An agent's presence or derived activity changed."""

    kind: ClassVar[str] = "presence.changed"
    presence: str  # available / busy / away / offline
    activity: str  # idle / ringing / on_call / wrap_up
    source: str = "system"  # web, button, desk-unit, routing, system


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentPaused(Event):
    """An agent was paused by the system, e.g. after missing offered calls."""

    kind: ClassVar[str] = "agent.paused"
    reason: str


# --- calls --------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CallOffered(Event):
    """A call arrived on a line."""

    kind: ClassVar[str] = "call.offered"
    call_id: str
    line: str
    number: str | None  # None when withheld or unavailable
    number_status: str = "valid"  # valid / withheld / unavailable


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRinging(Event):
    """Aspa is ringing one or more agents for a call."""

    kind: ClassVar[str] = "call.ringing"
    call_id: str
    agent_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAnswered(Event):
    """An agent took a call."""

    kind: ClassVar[str] = "call.answered"
    call_id: str
    wait_seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEnded(Event):
    """A call ended: answered, missed, abandoned, overflowed or interrupted."""

    kind: ClassVar[str] = "call.ended"
    call_id: str
    outcome: str
    wait_seconds: float = 0.0
    talk_seconds: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class VoicemailReceived(Event):
    """A caller left a message: a work item with the recording (its ticket)."""

    kind: ClassVar[str] = "voicemail.received"
    call_id: str
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackCreated(Event):
    """A call that could not be connected became a callback work item."""

    kind: ClassVar[str] = "callback.created"
    call_id: str
    number: str | None
    reason: str


# --- tickets and messages -------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketCreated(Event):
    """A new work item / ticket exists."""

    kind: ClassVar[str] = "ticket.created"
    number: int
    channel: str
    subject: str
    priority: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketStatusChanged(Event):
    """A ticket moved in its lifecycle."""

    kind: ClassVar[str] = "ticket.status"
    number: int
    old_status: str
    new_status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketAssigned(Event):
    """A ticket got (or lost) an assignee."""

    kind: ClassVar[str] = "ticket.assigned"
    number: int
    assignee_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketPriorityChanged(Event):
    """A ticket's priority changed; its SLA due times follow the new priority's targets."""

    kind: ClassVar[str] = "ticket.priority"
    number: int
    old_priority: str
    new_priority: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketMerged(Event):
    """A ticket was merged into another: its work goes on there, it leaves the queue."""

    kind: ClassVar[str] = "ticket.merged"
    number: int
    into_ticket_id: int
    into_number: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketCustomerChanged(Event):
    """A ticket now belongs to another customer (or to none)."""

    kind: ClassVar[str] = "ticket.customer"
    number: int
    old_customer_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerChanged(Event):
    """A customer's details changed (name, VIP, account manager, contacts); `fields` says which."""

    kind: ClassVar[str] = "customer.changed"
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomersMerged(Event):
    """Two customer records were one person: `customer_id` kept, `gone_id` merged into it."""

    kind: ClassVar[str] = "customer.merged"
    gone_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerErased(Event):
    """A customer's personal data was erased (GDPR Art. 17); counts only, never what."""

    kind: ClassVar[str] = "customer.erased"
    tickets: int = 0
    messages: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionApplied(Event):
    """The retention policy removed what is kept no longer; counts by kind."""

    kind: ClassVar[str] = "retention.applied"
    removed: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentRosterChanged(Event):
    """A login was added, changed, deactivated or reactivated."""

    kind: ClassVar[str] = "agent.roster"
    change: str  # added / updated / deactivated / reactivated


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageAdded(Event):
    """A message (mail, SMS, note, reply) was added to a ticket."""

    kind: ClassVar[str] = "message.added"
    message_id: int
    channel: str
    direction: str  # in / out / internal


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsReceived(Event):
    """An SMS arrived on a line."""

    kind: ClassVar[str] = "sms.received"
    line: str
    number: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Quarantined(Event):
    """Something that could not be handled was kept raw with its reason."""

    kind: ClassVar[str] = "quarantine.added"
    quarantine_id: int
    source: str
    reason: str


# --- health of the parts ------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LineStatus(Event):
    """A line's registration, signal or operator changed."""

    kind: ClassVar[str] = "line.status"
    line: str
    registered: bool
    signal: int | None = None  # 0..31 as in +CSQ, None when unknown
    operator: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthChanged(Event):
    """A part (mailbox, broker, modem, disk) became healthy or failed."""

    kind: ClassVar[str] = "health.changed"
    part: str
    ok: bool
    detail: str = ""


# --- GSM line (appliance.gsm) ---------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CallStateChanged(Event):
    """A call on a line changed state (dialing, alerting, active, held, waiting...)."""

    kind: ClassVar[str] = "call.state"
    call_id: str
    line: str
    state: str
    direction: str  # in / out
    number: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DtmfReceived(Event):
    """The far end of a call pressed a key."""

    kind: ClassVar[str] = "call.dtmf"
    call_id: str | None
    line: str
    digit: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsSent(Event):
    """An SMS left a line; `references` are the network's message references, one per part."""

    kind: ClassVar[str] = "sms.sent"
    line: str
    number: str
    references: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsDeliveryReport(Event):
    """The SMS centre reported on a sent message part (3GPP TS 23.040 §9.2.2.3)."""

    kind: ClassVar[str] = "sms.delivery_report"
    line: str
    reference: int
    number: str
    outcome: str  # delivered / pending / failed
    status: int


# --- call queue (appliance.calls) ------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRecorded(Event):
    """A queued call is over: its outcome and times, for the customer's history and figures."""

    kind: ClassVar[str] = "call.recorded"
    call_id: str
    line: str
    number: str | None
    outcome: str  # answered / deflected / abandoned / overflowed / closed / ... (queue.Outcome)
    reason: str = ""
    wait_seconds: float = 0.0
    ring_seconds: float = 0.0
    talk_seconds: float = 0.0
    method: str | None = None  # ect / conference / deflect, when an agent took it


@dataclass(frozen=True, slots=True, kw_only=True)
class LineLearned(Event):
    """A line found out whether the network allows a hand-over method (ECT, conference...)."""

    kind: ClassVar[str] = "line.learned"
    line: str
    method: str
    works: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketPendingSet(Event):
    """A ticket waits until a time, for a reason (the customer, a part, a call back)."""

    kind: ClassVar[str] = "ticket.pending"
    number: int
    until: datetime
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketReturned(Event):
    """A pending ticket came back to the queue: its time came, or the customer wrote."""

    kind: ClassVar[str] = "ticket.returned"
    number: int
    why: str  # time / reply
    assignee_id: int | None  # the agent to tell


@dataclass(frozen=True, slots=True, kw_only=True)
class AfterCallOpened(Event):
    """An agent's answered call ended: an after-call item waits for their notes."""

    kind: ClassVar[str] = "after_call.opened"
    after_call_id: int
    call_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AfterCallSaved(Event):
    """The agent wrote what was agreed on a call: notes, outcome, a follow-up if any."""

    kind: ClassVar[str] = "after_call.saved"
    after_call_id: int
    call_id: str
    outcome: str
    follow_up_number: int | None = None  # the follow-up ticket, pending until its date


@dataclass(frozen=True, slots=True, kw_only=True)
class SlaWarning(Event):
    """An open ticket nears its SLA due time (the configured share of its target has passed)."""

    kind: ClassVar[str] = "ticket.sla_warning"
    due: datetime
    assignee_id: int | None  # the agent to tell; None: nobody has it yet
    team_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SlaBreached(Event):
    """An open ticket is past its SLA due time; the configured actions follow."""

    kind: ClassVar[str] = "ticket.sla_breached"
    due: datetime
    assignee_id: int | None  # who had it at the breach
    team_id: int | None = None
    tell_team: bool = False  # everyone who may take it is told, not only the assignee


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentNotified(Event):
    """An agent was told of something: on the page, by email, by SMS or by the desk LED.

    `agent_id` is the agent told. The desk and GPIO adapters blink the agent's LED
    for `way` "led"; the page shows it to that agent.
    """

    kind: ClassVar[str] = "agent.notified"
    notice: str  # assigned / mention / sla_warning / sla_breach / reminder
    way: str  # page / email / sms / led
    number: int | None = None  # the ticket's number
