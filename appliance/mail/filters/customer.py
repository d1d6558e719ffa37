"""Identify the customer behind a sender address (a customer may have several)."""

from __future__ import annotations

from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from appliance.store.models import database_proxy
from appliance.store.quick_sql import run_sql


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Set customer_id when the address is known; the writer creates unknown senders."""
    if not mail.from_address:
        mail.quarantine_reason = "no usable sender address (From, Sender and Return-Path empty)"
        return
    db = database_proxy.obj
    # One indexed look-up per mail; written out to skip query building on the hot path.
    row = run_sql(db,
        f'SELECT "customer_id" FROM "contact_point" WHERE "kind" = \'email\' '
        f'AND "value" = {db.param}',
        (mail.from_address,)).fetchone()
    if row is not None:
        mail.customer_id = int(row[0])
