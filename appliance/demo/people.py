"""The demo's people and work: an admin with a fresh password, two agents, customers, tickets."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from appliance.spine.clock import Clock
from appliance.store.accounts import Accounts
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Customer
from appliance.store.startup import open_store
from appliance.store.ticket_records import MessageDraft, TicketRecords
from appliance.tickets import BusinessCalendar, SlaPolicy

ADMIN_LOGIN = "admin"

# (name, phone, email, vip)
CUSTOMERS = (
    ("Kahvila Aalto", "+358401112222", "tilaukset@kahvila-aalto.example", True),
    ("Tilitoimisto Berg", "+358503334444", "info@berg.example", False),
    ("Maija Meikäläinen", "+358457778888", "maija@example.fi", False),
)
# (channel, subject, customer index, priority, first message)
TICKETS = (
    ("email", "Invoice 2291 shows the wrong VAT rate", 1, "high",
     "Hello, the VAT on invoice 2291 is 24 % but should be 14 %. Please send a corrected one."),
    ("sms", "Can you call me after 15:00?", 2, "normal", "Can you call me after 15:00? -Maija"),
    ("email", "Order for Friday: 40 pastries", 0, "urgent",
     "We need 40 pastries on Friday morning instead of 30. Is that still possible?"),
    ("callback", "Missed call: wants a quote", 2, "normal", ""),
    ("email", "Opening hours over the holidays", 1, "low", "Are you open between the holidays?"),
)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """What the demo prints so a person can log in."""

    login: str
    password: str


def seed_demo_store(database: str | Path, clock: Clock, *, policy: SlaPolicy | None = None,
                    calendar: BusinessCalendar | None = None) -> DemoLogin:
    """Create the demo's store; returns the admin's login with a password made just now.

    Its tickets are due by `policy` in `calendar`: the terms the demo's daemon runs on."""
    password = secrets.token_urlsafe(12)
    db = open_store(database)
    try:
        accounts = Accounts(db, clock)
        admin = accounts.add_user("Demo Admin", ADMIN_LOGIN, "admin", password)
        # their phones and team come from the demo's [[agents]], synced at start
        for name, login in (("Anna Agent", "anna"), ("Bengt Agent", "bengt")):
            accounts.add_user(name, login, "agent", secrets.token_urlsafe(12))
        directory = CustomerDirectory(db)
        customer_ids = []
        for name, phone, email, vip in CUSTOMERS:
            customer = directory.find_or_create_by_phone(phone, name=name)
            directory.add_contact(customer.id, "email", email)
            if vip:
                Customer.update(vip=True, account_manager=admin.id).where(
                    Customer.id == customer.id).execute()
            customer_ids.append(customer.id)
        records = TicketRecords(db, clock, policy=policy, calendar=calendar)
        for channel, subject, who, priority, text in TICKETS:
            first = None
            if text:
                first = MessageDraft(channel="email" if channel == "email" else "sms",
                                     direction="in", subject=subject, body_text=text)
            records.open_ticket(channel, subject, customer_ids[who], priority, message=first)
    finally:
        db.close()
    return DemoLogin(ADMIN_LOGIN, password)
