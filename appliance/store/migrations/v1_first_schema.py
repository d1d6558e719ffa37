"""Schema step 1: the first schema, from a frozen copy of its table definitions.

These classes are deliberately independent of `appliance.store.models`: the
live models change with every later step, while a database made by the first
Aspa must always be re-creatable exactly as it was. Never edit this file;
add a new step instead.
"""

from __future__ import annotations

import peewee as pw


class _V1(pw.Model):
    class Meta:
        legacy_table_names = False


class Meta(_V1):
    key = pw.CharField(primary_key=True, max_length=64)
    value = pw.TextField()


class Team(_V1):
    name = pw.CharField(unique=True, max_length=100)


class Agent(_V1):
    name = pw.CharField(max_length=200)
    login = pw.CharField(unique=True, max_length=100)
    role = pw.CharField(max_length=16, default="agent")
    password_hash = pw.CharField(max_length=255, null=True)
    password_changed_at = pw.DateTimeField()
    phone = pw.CharField(max_length=32, null=True)
    sip_uri = pw.CharField(max_length=255, null=True)
    language = pw.CharField(max_length=8, null=True)
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField()


class AgentTeam(_V1):
    agent = pw.ForeignKeyField(Agent, on_delete="CASCADE")
    team = pw.ForeignKeyField(Team, on_delete="CASCADE")

    class Meta:
        indexes = ((("agent", "team"), True),)


class Customer(_V1):
    name = pw.CharField(max_length=200, default="")
    vip = pw.BooleanField(default=False)
    account_manager = pw.ForeignKeyField(Agent, null=True, on_delete="SET NULL")
    language = pw.CharField(max_length=8, null=True)
    notes = pw.TextField(default="")
    created_at = pw.DateTimeField()


class ContactPoint(_V1):
    customer = pw.ForeignKeyField(Customer, on_delete="CASCADE")
    kind = pw.CharField(max_length=8)
    value = pw.CharField(max_length=320)
    failing = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("kind", "value"), True),)


class Ticket(_V1):
    number = pw.IntegerField(unique=True)
    channel = pw.CharField(max_length=16)
    subject = pw.CharField(max_length=500, default="")
    status = pw.CharField(max_length=16, default="new", index=True)
    priority = pw.CharField(max_length=16, default="normal")
    customer = pw.ForeignKeyField(Customer, null=True, on_delete="SET NULL")
    assignee = pw.ForeignKeyField(Agent, null=True, on_delete="SET NULL")
    team = pw.ForeignKeyField(Team, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(index=True)
    updated_at = pw.DateTimeField()
    first_response_due = pw.DateTimeField(null=True)
    first_responded_at = pw.DateTimeField(null=True)
    resolution_due = pw.DateTimeField(null=True, index=True)
    resolved_at = pw.DateTimeField(null=True)
    closed_at = pw.DateTimeField(null=True)
    sla_paused_at = pw.DateTimeField(null=True)
    merged_into = pw.ForeignKeyField("self", null=True, on_delete="SET NULL")


class Message(_V1):
    ticket = pw.ForeignKeyField(Ticket, on_delete="CASCADE")
    channel = pw.CharField(max_length=16)
    direction = pw.CharField(max_length=8)
    author = pw.ForeignKeyField(Agent, null=True, on_delete="SET NULL")
    sender = pw.CharField(max_length=320, default="")
    recipients = pw.TextField(default="")
    subject = pw.CharField(max_length=500, default="")
    body_text = pw.TextField(default="")
    body_html = pw.TextField(null=True)
    message_id = pw.CharField(max_length=500, null=True, index=True)
    in_reply_to = pw.CharField(max_length=500, null=True)
    created_at = pw.DateTimeField()


class Attachment(_V1):
    message = pw.ForeignKeyField(Message, on_delete="CASCADE")
    filename = pw.CharField(max_length=255)
    content_type = pw.CharField(max_length=255, default="application/octet-stream")
    size = pw.IntegerField()
    sha256 = pw.CharField(max_length=64, index=True)


class Call(_V1):
    call_ref = pw.CharField(unique=True, max_length=64)
    line = pw.CharField(max_length=64)
    direction = pw.CharField(max_length=8, default="in")
    number = pw.CharField(max_length=32, null=True)
    number_status = pw.CharField(max_length=16, default="valid")
    customer = pw.ForeignKeyField(Customer, null=True, on_delete="SET NULL")
    agent = pw.ForeignKeyField(Agent, null=True, on_delete="SET NULL")
    ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    offered_at = pw.DateTimeField(index=True)
    answered_at = pw.DateTimeField(null=True)
    ended_at = pw.DateTimeField(null=True)
    outcome = pw.CharField(max_length=16, null=True)
    wait_seconds = pw.FloatField(default=0.0)
    ring_seconds = pw.FloatField(default=0.0)
    talk_seconds = pw.FloatField(default=0.0)


class HistoryEntry(_V1):
    at = pw.DateTimeField(index=True)
    kind = pw.CharField(max_length=64)
    event_id = pw.CharField(max_length=32, unique=True)
    customer = pw.ForeignKeyField(Customer, null=True, on_delete="SET NULL")
    ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="CASCADE")
    agent = pw.ForeignKeyField(Agent, null=True, on_delete="SET NULL")
    data = pw.TextField()


class Quarantine(_V1):
    source = pw.CharField(max_length=200)
    reason = pw.TextField()
    raw = pw.BlobField()  # type: ignore[assignment]  # shadows Model.raw() here
    received_at = pw.DateTimeField()
    replayed_at = pw.DateTimeField(null=True)
    result_ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")


class DailyFigure(_V1):
    day = pw.DateField(unique=True)
    open_at_start = pw.IntegerField(default=0)
    new = pw.IntegerField(default=0)
    resolved = pw.IntegerField(default=0)


V1_MODELS: tuple[type[pw.Model], ...] = (
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
)


def apply(db: pw.Database) -> None:
    """Create the first schema's tables and indexes."""
    with db.bind_ctx(V1_MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(V1_MODELS, safe=False)
