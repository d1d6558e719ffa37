"""Acknowledgements: once per new ticket, never to machines, capped per address."""

from __future__ import annotations

import pytest

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.acknowledgement import acknowledge, is_machine_address
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import MailProcessor
from appliance.spine.clock import ManualClock
from appliance.store.mail_models import OutgoingMail
from tests.mail.conftest import CORPUS
from tests.mail.mail_factory import plain_mail

SETTINGS = SmtpSettings(from_address="tuki@yritys.fi", domain="aspa.example.fi")


@pytest.fixture
def acking(processor: MailProcessor, clock: ManualClock) -> MailProcessor:
    def after(mail: ParsedMail, outcome: object) -> None:
        acknowledge(mail, outcome, SETTINGS, clock)  # type: ignore[arg-type]
    processor.after_write = after
    return processor


@pytest.mark.parametrize("address", ["MAILER-DAEMON@mx.fi", "postmaster@x.fi", "noreply@x.fi",
                                     "no-reply@x.fi", "donotreply@x.fi"])
def test_machine_addresses(address: str) -> None:
    assert is_machine_address(address)


def test_a_new_ticket_is_acknowledged_once(acking: MailProcessor) -> None:
    raw = plain_mail(sender="liisa@asiakas.fi")
    acking.process(raw, "t")
    acking.process(raw, "t")  # the same mail again: a duplicate, no second acknowledgement
    (ack,) = OutgoingMail.select()
    assert ack.kind == "acknowledgement" and ack.recipients == "liisa@asiakas.fi"
    assert b"Auto-Submitted: auto-replied" in bytes(ack.content)


@pytest.mark.parametrize("raw", [
    plain_mail(extra_headers="Auto-Submitted: auto-replied\r\n"),
    plain_mail(extra_headers="Precedence: bulk\r\n"),
    plain_mail(sender="noreply@kauppa.example"),
    (CORPUS / "dsn_bounce.eml").read_bytes(),
])
def test_machines_get_no_acknowledgement(raw: bytes, acking: MailProcessor) -> None:
    acking.process(raw, "t")
    assert OutgoingMail.select().count() == 0


def test_follow_ups_get_no_acknowledgement(acking: MailProcessor) -> None:
    acking.process(plain_mail(sender="liisa@asiakas.fi", message_id="<a@asiakas.fi>"), "t")
    acking.process(plain_mail(sender="liisa@asiakas.fi",
                              extra_headers="In-Reply-To: <a@asiakas.fi>\r\n"), "t")
    assert OutgoingMail.select().count() == 1


def test_acknowledgements_are_capped_per_address(acking: MailProcessor,
                                                 clock: ManualClock) -> None:
    for i in range(5):
        acking.process(plain_mail(sender="paljon@asiakas.fi", subject=f"asia {i}"), "t")
    assert OutgoingMail.select().count() == 3
    clock.advance(3601)
    acking.process(plain_mail(sender="paljon@asiakas.fi", subject="tunnin päästä"), "t")
    assert OutgoingMail.select().count() == 4

