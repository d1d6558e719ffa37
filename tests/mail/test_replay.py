"""Quarantine and replay: a failing mail is kept raw with its reason and replays exactly once."""

from __future__ import annotations

import pytest

from appliance.mail import pipeline
from appliance.mail.errors import ReplayError
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import MailProcessor
from appliance.mail.replay import replay, replay_for_cli
from appliance.store.models import Message, Quarantine, Ticket
from tests.mail.mail_factory import plain_mail


def _explode(mail: ParsedMail, ctx: IntakeContext) -> None:
    raise UnicodeError("a parser bug meets this mail")


@pytest.fixture
def quarantined(processor: MailProcessor, monkeypatch: pytest.MonkeyPatch) -> Quarantine:
    """A mail that a (temporarily) broken filter could not handle."""
    broken = [*pipeline.FILTERS[:2], ("explode", _explode), *pipeline.FILTERS[2:]]
    monkeypatch.setattr(pipeline, "FILTERS", broken)
    outcome = processor.process(plain_mail(subject="Jäi karanteeniin"), "mail:support")
    monkeypatch.setattr(pipeline, "FILTERS", broken[:2] + broken[3:])
    assert outcome.kind == "quarantined"
    return Quarantine.get_by_id(outcome.quarantine_id)


def test_failing_filter_keeps_the_raw_mail_and_the_reason(quarantined: Quarantine) -> None:
    assert quarantined.reason == "explode: UnicodeError: a parser bug meets this mail"
    assert b"Subject: J\xc3\xa4i karanteeniin" in bytes(quarantined.raw)
    assert Ticket.select().count() == 0


def test_replay_creates_exactly_one_ticket(quarantined: Quarantine, ctx: IntakeContext) -> None:
    said = replay_for_cli(quarantined.id, ctx)
    assert said == f"quarantined mail #{quarantined.id} became ticket #1001"
    with pytest.raises(ReplayError, match="already replayed"):
        replay(quarantined.id, ctx)
    assert Ticket.select().count() == 1 and Message.select().count() == 1
    row = Quarantine.get_by_id(quarantined.id)
    assert row.replayed_at is not None
    assert Ticket.get(Ticket.id == row.result_ticket).number == 1001


def test_the_same_mail_arriving_again_after_quarantine_is_no_duplicate_ticket(
    quarantined: Quarantine, processor: MailProcessor, ctx: IntakeContext
) -> None:
    assert processor.process(bytes(quarantined.raw), "mail:support").kind == "duplicate"
    replay(quarantined.id, ctx)
    assert Ticket.select().count() == 1


def test_replay_of_a_mail_that_still_fails_updates_the_reason(
    processor: MailProcessor, ctx: IntakeContext
) -> None:
    outcome = processor.process(b"Subject: ei lahettajaa\r\n\r\nx", "mail:support")
    assert outcome.quarantine_id is not None
    result = replay(outcome.quarantine_id, ctx)
    assert result.kind == "quarantined"
    assert "still, after replay" in Quarantine.get_by_id(outcome.quarantine_id).reason
    assert Quarantine.select().count() == 1


def test_unknown_quarantine_id_is_a_clear_error(processor: MailProcessor,
                                                ctx: IntakeContext) -> None:
    with pytest.raises(ReplayError, match="no quarantined mail #42"):
        replay(42, ctx)


def test_quarantined_sms_is_not_replayed_as_mail(store: object, ctx: IntakeContext) -> None:
    row = Quarantine.create(source="sms:gsm0", reason="bad PDU", raw=b"0791")
    with pytest.raises(ReplayError, match="came from sms:gsm0"):
        replay(row.id, ctx)


def test_an_auto_reply_kept_aside_comes_in_as_a_ticket_when_replayed(
    processor: MailProcessor, ctx: IntakeContext
) -> None:
    vacation = plain_mail(subject="Automatic reply: kysymys",
                          extra_headers="Auto-Submitted: auto-replied\r\n")
    kept = processor.process(vacation, "mail:support")
    assert kept.kind == "quarantined" and Ticket.select().count() == 0
    outcome = replay(kept.quarantine_id, ctx)  # type: ignore[arg-type]
    assert outcome.kind == "created"
    assert Ticket.get_by_id(outcome.ticket_id).subject == "Automatic reply: kysymys"
