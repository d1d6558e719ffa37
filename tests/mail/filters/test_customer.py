"""customer: a known address finds its customer, several addresses per customer."""

from __future__ import annotations

import peewee as pw

from appliance.mail.filters import customer, parse
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import MailProcessor
from appliance.store.models import ContactPoint, Customer, Ticket
from tests.mail.mail_factory import plain_mail


def annotated(raw: bytes, ctx: IntakeContext) -> ParsedMail:
    mail = ParsedMail(raw=raw, source="t")
    parse.run(mail, ctx)
    customer.run(mail, ctx)
    return mail


def test_any_of_a_customers_addresses_finds_them(store: pw.Database, ctx: IntakeContext) -> None:
    firm = Customer.create(name="Asiakas Oy")
    ContactPoint.create(customer=firm, kind="email", value="liisa@asiakas.fi")
    ContactPoint.create(customer=firm, kind="email", value="liisa.virtanen@gmail.com")
    gmail = plain_mail(sender="Liisa <Liisa.Virtanen@Gmail.com>")
    assert annotated(gmail, ctx).customer_id == firm.id
    assert annotated(plain_mail(sender="liisa@asiakas.fi"), ctx).customer_id == firm.id


def test_unknown_sender_becomes_a_new_customer_once(processor: MailProcessor) -> None:
    for _ in range(2):
        processor.process(plain_mail(sender="Uusi Asiakas <uusi@asiakas.fi>"), "t")
    (only,) = Customer.select()
    assert only.name == "Uusi Asiakas"
    assert {t.customer_id for t in Ticket.select()} == {only.id}


def test_no_sender_at_all_is_quarantined(store: pw.Database, ctx: IntakeContext) -> None:
    mail = annotated(b"Subject: kuka\r\n\r\nteksti", ctx)
    assert "no usable sender" in mail.quarantine_reason
