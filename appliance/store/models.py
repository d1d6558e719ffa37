"""The store's tables, as peewee models bound at run time to SQLite or PostgreSQL.

Times are stored as aware UTC datetimes (see `UtcDateTimeField`). The
database is bound with `database_proxy.initialize(db)` in `database.py`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import peewee as pw

database_proxy = pw.DatabaseProxy()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTimeField(pw.DateTimeField):
    """A datetime stored as naive UTC and read back as aware UTC."""

    def db_value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"{self.name}: naive datetime {value!r}; store aware UTC times")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class JsonField(pw.TextField):
    """JSON kept as text, so SQLite and PostgreSQL store it alike."""

    def db_value(self, value: Any) -> Any:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value: Any) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(pw.Model):
    """Every table: bound through the proxy; foreign-key `*_id` attributes declared per model
    for type checkers (peewee adds them at run time)."""

    class Meta:
        database = database_proxy
        legacy_table_names = False


class Meta(BaseModel):
    """Key/value facts about the store itself, e.g. the schema version."""

    key = pw.CharField(primary_key=True, max_length=64)
    value = pw.TextField()


class Team(BaseModel):
    id = pw.AutoField()
    name = pw.CharField(unique=True, max_length=100)


class Agent(BaseModel):
    """A person who logs in; agents take work, admins also set the box up."""

    id = pw.AutoField()
    name = pw.CharField(max_length=200)
    login = pw.CharField(unique=True, max_length=100)
    role = pw.CharField(max_length=16, default="agent")  # agent / admin
    password_hash = pw.CharField(max_length=255, null=True)
    password_changed_at = UtcDateTimeField(default=utcnow)
    phone = pw.CharField(max_length=32, null=True)  # E.164, for ringing the agent's mobile
    sip_uri = pw.CharField(max_length=255, null=True)
    language = pw.CharField(max_length=8, null=True)  # fi / en; None = from the browser
    sender_name = pw.CharField(max_length=200, null=True)  # From name of replies; None = name
    signature = pw.TextField(null=True)  # under each reply by mail; None = the box's closing
    active = pw.BooleanField(default=True)
    created_at = UtcDateTimeField(default=utcnow)


class AgentTeam(BaseModel):
    id = pw.AutoField()
    agent_id: int
    team_id: int
    agent = pw.ForeignKeyField(Agent, backref="team_links", on_delete="CASCADE")
    team = pw.ForeignKeyField(Team, backref="agent_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("agent", "team"), True),)


class Customer(BaseModel):
    id = pw.AutoField()
    account_manager_id: int | None
    name = pw.CharField(max_length=200, default="")
    vip = pw.BooleanField(default=False)
    account_manager = pw.ForeignKeyField(Agent, null=True, backref="accounts", on_delete="SET NULL")
    language = pw.CharField(max_length=8, null=True)
    notes = pw.TextField(default="")
    created_at = UtcDateTimeField(default=utcnow)
    erased_at = UtcDateTimeField(null=True)  # personal data erased on request; the row stays


class ContactPoint(BaseModel):
    """One phone number or email address of a customer, normalised."""

    id = pw.AutoField()
    customer_id: int
    customer = pw.ForeignKeyField(Customer, backref="contacts", on_delete="CASCADE")
    kind = pw.CharField(max_length=8)  # phone / email
    value = pw.CharField(max_length=320)
    failing = pw.BooleanField(default=False)  # bounced mail, unreachable number

    class Meta:
        indexes = ((("kind", "value"), True),)


class Ticket(BaseModel):
    """A work item: email or SMS thread, callback owed, call record needing work."""

    id = pw.AutoField()
    customer_id: int | None
    assignee_id: int | None
    team_id: int | None
    merged_into_id: int | None
    number = pw.IntegerField(unique=True)  # the human number, #1042
    channel = pw.CharField(max_length=16)  # email / sms / call / callback / web
    subject = pw.CharField(max_length=500, default="")
    status = pw.CharField(max_length=16, default="new", index=True)
    priority = pw.CharField(max_length=16, default="normal")  # low / normal / high / urgent
    customer = pw.ForeignKeyField(Customer, null=True, backref="tickets", on_delete="SET NULL")
    assignee = pw.ForeignKeyField(Agent, null=True, backref="tickets", on_delete="SET NULL")
    team = pw.ForeignKeyField(Team, null=True, backref="tickets", on_delete="SET NULL")
    created_at = UtcDateTimeField(default=utcnow, index=True)
    updated_at = UtcDateTimeField(default=utcnow)
    first_response_due = UtcDateTimeField(null=True)
    first_responded_at = UtcDateTimeField(null=True)
    resolution_due = UtcDateTimeField(null=True, index=True)
    resolved_at = UtcDateTimeField(null=True)
    closed_at = UtcDateTimeField(null=True)
    sla_paused_at = UtcDateTimeField(null=True)  # set while pending
    # The SLA clocks (appliance.tickets.SlaClock): business seconds used, and since
    # when they run (None while paused); the due times above follow from these.
    sla_running_since = UtcDateTimeField(null=True)
    sla_first_response_used_s = pw.DoubleField(default=0.0)
    sla_resolution_used_s = pw.DoubleField(default=0.0)
    merged_into = pw.ForeignKeyField("self", null=True, backref="merged", on_delete="SET NULL")
    # while pending: when the ticket comes back to the queue, and why it waits
    pending_until = UtcDateTimeField(null=True)
    pending_reason = pw.TextField(default="")

    class Meta:
        # the queue views: "open tickets, newest first", for everyone or for one agent
        indexes = ((("status", "number"), False), (("assignee", "status"), False),
                   (("status", "pending_until"), False))


class Message(BaseModel):
    """One article of a ticket: an email, an SMS, a reply or an internal note."""

    id = pw.AutoField()
    ticket_id: int
    author_id: int | None
    ticket = pw.ForeignKeyField(Ticket, backref="messages", on_delete="CASCADE")
    channel = pw.CharField(max_length=16)  # email / sms / note / call
    direction = pw.CharField(max_length=8)  # in / out / internal
    author = pw.ForeignKeyField(Agent, null=True, backref="messages", on_delete="SET NULL")
    sender = pw.CharField(max_length=320, default="")
    recipients = pw.TextField(default="")
    subject = pw.CharField(max_length=500, default="")
    body_text = pw.TextField(default="")
    body_html = pw.TextField(null=True)
    message_id = pw.CharField(max_length=500, null=True, index=True)  # RFC 5322 Message-ID
    in_reply_to = pw.CharField(max_length=500, null=True)
    created_at = UtcDateTimeField(default=utcnow)


class Attachment(BaseModel):
    id = pw.AutoField()
    message_id: int
    message = pw.ForeignKeyField(Message, backref="attachments", on_delete="CASCADE")
    filename = pw.CharField(max_length=255)
    content_type = pw.CharField(max_length=255, default="application/octet-stream")
    size = pw.IntegerField()
    sha256 = pw.CharField(max_length=64, index=True)  # file name in the attachments folder


class Call(BaseModel):
    """One phone call, from offer to end, with its times and who took it."""

    id = pw.AutoField()
    customer_id: int | None
    agent_id: int | None
    ticket_id: int | None
    call_ref = pw.CharField(unique=True, max_length=64)
    line = pw.CharField(max_length=64)
    direction = pw.CharField(max_length=8, default="in")  # in / out
    number = pw.CharField(max_length=32, null=True)
    number_status = pw.CharField(max_length=16, default="valid")
    customer = pw.ForeignKeyField(Customer, null=True, backref="calls", on_delete="SET NULL")
    agent = pw.ForeignKeyField(Agent, null=True, backref="calls", on_delete="SET NULL")
    ticket = pw.ForeignKeyField(Ticket, null=True, backref="calls", on_delete="SET NULL")
    offered_at = UtcDateTimeField(default=utcnow, index=True)
    answered_at = UtcDateTimeField(null=True)
    ended_at = UtcDateTimeField(null=True)
    # answered / missed / abandoned / overflowed / interrupted
    outcome = pw.CharField(max_length=16, null=True)
    wait_seconds = pw.FloatField(default=0.0)
    ring_seconds = pw.FloatField(default=0.0)
    talk_seconds = pw.FloatField(default=0.0)
    # how the caller reached the agent: ect / bridge / conference / deflect (None: nobody)
    method = pw.CharField(max_length=16, null=True)


class HistoryEntry(BaseModel):
    """One recorded event: a customer's history is the events about them."""

    id = pw.AutoField()
    customer_id: int | None
    ticket_id: int | None
    agent_id: int | None
    at = UtcDateTimeField(index=True)
    kind = pw.CharField(max_length=64)
    event_id = pw.CharField(max_length=32, unique=True)
    customer = pw.ForeignKeyField(Customer, null=True, backref="history", on_delete="SET NULL")
    ticket = pw.ForeignKeyField(Ticket, null=True, backref="history", on_delete="CASCADE")
    agent = pw.ForeignKeyField(Agent, null=True, backref="history", on_delete="SET NULL")
    data = JsonField(default=dict)


class Quarantine(BaseModel):
    """Input that could not be handled, kept raw with the reason."""

    id = pw.AutoField()
    result_ticket_id: int | None
    source = pw.CharField(max_length=200)  # e.g. "mail:support" or "sms:gsm0"
    reason = pw.TextField()
    raw = pw.BlobField()  # type: ignore[assignment]  # shadows Model.raw() on this model
    received_at = UtcDateTimeField(default=utcnow)
    replayed_at = UtcDateTimeField(null=True, index=True)
    result_ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")


class DailyFigure(BaseModel):
    """Per-day figures kept as a series: service debt = open at start + new - resolved."""

    id = pw.AutoField()
    day = pw.DateField(unique=True)  # in the box's time zone
    open_at_start = pw.IntegerField(default=0)
    new = pw.IntegerField(default=0)
    resolved = pw.IntegerField(default=0)


class MailboxState(BaseModel):
    """Where the IMAP intake of one mailbox stands, so a restart neither skips nor repeats."""

    id = pw.AutoField()
    mailbox = pw.CharField(unique=True, max_length=200)
    uidvalidity = pw.BigIntegerField(null=True)  # RFC 3501 §2.3.1.1: 32-bit unsigned
    last_uid = pw.BigIntegerField(default=0)
    last_ok_at = UtcDateTimeField(null=True)
    last_error = pw.TextField(null=True)


class Outbox(BaseModel):
    """An MQTT message waiting to be sent, kept until the broker has it."""

    id = pw.AutoField()
    topic = pw.CharField(max_length=255)
    payload = pw.TextField()
    qos = pw.IntegerField(default=1)
    retain = pw.BooleanField(default=False)
    created_at = UtcDateTimeField(default=utcnow, index=True)
    sent_at = UtcDateTimeField(null=True, index=True)


class AuditEntry(BaseModel):
    """Who viewed, exported, changed or erased which customer's data, and when."""

    id = pw.AutoField()
    at = UtcDateTimeField(index=True)
    actor = pw.CharField(max_length=200)  # an agent's login, "cli:<os user>" or "system"
    actor_id = pw.IntegerField(null=True)  # the agent's id; no foreign key: entries outlive agents
    action = pw.CharField(max_length=32)  # view / export / change / erase / retention
    customer_id = pw.IntegerField(null=True, index=True)  # no foreign key: outlives a merge
    detail = JsonField(default=dict)  # what was done, never the personal data itself


class WebSession(BaseModel):
    """One logged-in browser: never the token itself, only its SHA-256; no customer data."""

    id = pw.AutoField()
    agent_id: int
    token_hash = pw.CharField(max_length=64, unique=True)  # hex SHA-256 of the cookie's token
    agent = pw.ForeignKeyField(Agent, backref="web_sessions", on_delete="CASCADE")
    role = pw.CharField(max_length=16)  # as at login; a role change ends the session
    language = pw.CharField(max_length=8, null=True)  # fi / en; None = from the browser
    created_at = UtcDateTimeField()
    last_seen_at = UtcDateTimeField()  # written at most once a minute, not per request
    idle_timeout_s = pw.IntegerField()
    ends_at = UtcDateTimeField()  # the absolute end, however busy the session
    expires_at = UtcDateTimeField(index=True)  # min(last seen + idle timeout, ends_at)


class WallScreen(BaseModel):
    """A paired wall screen (a TV): it sees the wallboard only, until an admin revokes it.

    Only hashes: of the one-time pairing code, and of the token its browser's cookie carries.
    """

    id = pw.AutoField()
    name = pw.CharField(max_length=80)
    pairing_hash = pw.CharField(max_length=64, null=True, unique=True)  # None once paired
    pairing_until = UtcDateTimeField(null=True)  # the pairing link works until then
    token_hash = pw.CharField(max_length=64, null=True, unique=True)  # None until paired
    created_at = UtcDateTimeField()
    paired_at = UtcDateTimeField(null=True)
    last_seen_at = UtcDateTimeField(null=True)  # written at most once a minute


class ChangeFeedEntry(BaseModel):
    """An event another process (the command line) raised, for the running daemon to publish."""

    id = pw.AutoField()
    at = UtcDateTimeField(default=utcnow)  # when it was written
    source = pw.CharField(max_length=64)  # which command, e.g. "cli:mail import"
    payload = JsonField()  # Event.payload(): kind, ids and fields


class LoginBrake(BaseModel):
    """Failed logins counted against one address, one login, or one login from one address.

    Named by a hash: a password typed into the login field by mistake is not kept.
    """

    key = pw.CharField(max_length=64, primary_key=True)  # hex SHA-256 of "addr:…", "login:…"
    failures = pw.IntegerField()
    last_failure_at = UtcDateTimeField(index=True)


class SmsOutboxEntry(BaseModel):
    """An SMS the box promised (a callback's confirmation), kept until a line has sent it."""

    id = pw.AutoField()
    ticket_id: int | None
    created_at = UtcDateTimeField(default=utcnow)
    number = pw.CharField(max_length=32)
    text = pw.TextField()
    ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")  # the callback item
    preferred_line = pw.CharField(max_length=64, null=True)  # the line the call came in on
    state = pw.CharField(max_length=16, default="queued", index=True)
    # queued -> sent -> delivered | not_delivered; queued -> given_up after too long
    attempts = pw.IntegerField(default=0)
    next_try_at = UtcDateTimeField(default=utcnow)
    last_error = pw.TextField(default="")
    line = pw.CharField(max_length=64, null=True)  # the line that sent it
    references = JsonField(null=True)  # the network's message references, one per part
    sent_at = UtcDateTimeField(null=True)
    reported_at = UtcDateTimeField(null=True)


class SavedReply(BaseModel):
    """An answer or a knowledge snippet the office keeps, inserted into replies by agents.

    Its text may hold placeholders (appliance.tickets.reply_placeholders), filled in per ticket.
    """

    id = pw.AutoField()
    edited_by_id: int | None
    title = pw.CharField(max_length=200)
    body = pw.TextField()
    language = pw.CharField(max_length=8, default="any")  # fi / en / any
    shortcut = pw.CharField(max_length=40, null=True, unique=True)  # "#thanks"; None = none
    kind = pw.CharField(max_length=16, default="reply")  # reply / snippet
    usage_count = pw.IntegerField(default=0)  # replies sent with it
    edited_by = pw.ForeignKeyField(Agent, null=True, on_delete="SET NULL")  # None: the box
    edited_at = UtcDateTimeField()


class TicketTag(BaseModel):
    """One tag on one ticket, normalised (`appliance.store.ticket_tags.normalise_tag`)."""

    id = pw.AutoField()
    ticket_id: int
    ticket = pw.ForeignKeyField(Ticket, backref="tags", on_delete="CASCADE")
    tag = pw.CharField(max_length=40, index=True)
    created_at = UtcDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("ticket", "tag"), True),)


class AfterCall(BaseModel):
    """What the agent wrote when an answered call ended: theirs to fill, not queue work."""

    id = pw.AutoField()
    agent_id: int | None
    customer_id: int | None
    follow_up_ticket_id: int | None
    call_ref = pw.CharField(max_length=64, unique=True)
    agent = pw.ForeignKeyField(Agent, null=True, backref="after_calls", on_delete="SET NULL")
    customer = pw.ForeignKeyField(Customer, null=True, backref="after_calls",
                                  on_delete="SET NULL")
    number = pw.CharField(max_length=32, null=True)
    opened_at = UtcDateTimeField()
    saved_at = UtcDateTimeField(null=True)  # None while the agent has not filled it
    notes = pw.TextField(default="")
    outcome = pw.CharField(max_length=16, null=True)  # solved / follow_up / wrong_number / other
    follow_up_at = UtcDateTimeField(null=True)
    # the follow-up: a ticket pending until follow_up_at, then back in the agent's queue
    follow_up_ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("agent", "saved_at"), False),)


class AgentNoticeSettings(BaseModel):
    """One agent's choices for notices: the way for each kind, quiet hours, where mail goes."""

    id = pw.AutoField()
    agent_id: int
    agent = pw.ForeignKeyField(Agent, unique=True, backref="notice_settings", on_delete="CASCADE")
    ways = JsonField(default=dict)  # kind -> page / email / sms / led; unset: page
    email = pw.CharField(max_length=320, default="")  # where the agent's notices are mailed
    quiet_start = pw.CharField(max_length=5, null=True)  # local "HH:MM"; None: office closed
    quiet_end = pw.CharField(max_length=5, null=True)


class NoticeLogEntry(BaseModel):
    """A notice to an agent, or an SLA alert, kept once by its key so it is never repeated.

    A notice is recorded (state "due") before it is sent and marked "sent" once its sender
    took it; one held for the agent's quiet hours waits here (state "held") until `due_at`.
    """

    id = pw.AutoField()
    agent_id: int | None
    ticket_id: int | None
    key = pw.CharField(max_length=300, unique=True)
    agent = pw.ForeignKeyField(Agent, null=True, backref="notices", on_delete="CASCADE")
    ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    kind = pw.CharField(max_length=32)  # assigned / mention / ... / sla-warning / sla-breach
    way = pw.CharField(max_length=16, default="")  # page / email / sms / led
    state = pw.CharField(max_length=16, index=True)  # due / sent / held / page / dropped / alert
    text = pw.TextField(default="")  # what the agent is told (no customer text)
    created_at = UtcDateTimeField()
    due_at = UtcDateTimeField(null=True, index=True)  # a due or held notice goes then
    sent_at = UtcDateTimeField(null=True)
    tries = pw.IntegerField(default=0)  # failed sends so far; due_at is then the next try


ALL_MODELS: tuple[type[BaseModel], ...] = (
    Meta,
    Team,
    Agent,
    AgentTeam,
    Customer,
    ContactPoint,
    Ticket,
    Message,
    Attachment,
    Call,
    HistoryEntry,
    Quarantine,
    DailyFigure,
    MailboxState,
    Outbox,
    AuditEntry,
    WebSession,
    WallScreen,
    ChangeFeedEntry,
    LoginBrake,
    SmsOutboxEntry,
    SavedReply,
    TicketTag,
    AfterCall,
    AgentNoticeSettings,
    NoticeLogEntry,
)
