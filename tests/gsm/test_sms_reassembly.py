"""Long messages come together from their parts; lost parts never lose the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appliance.gsm.pdu import SmsDeliver, decode_pdu, encode_deliver
from appliance.gsm.sms_address import TOA_INTERNATIONAL, Address
from appliance.gsm.sms_dcs import Alphabet, DataCoding
from appliance.gsm.sms_reassembly import (
    MISSING_PART_MARKER,
    SmsReassembler,
    join_parts,
)
from appliance.gsm.sms_udh import InformationElement, UserDataHeader
from appliance.gsm.sms_user_data import UserData
from appliance.spine.clock import ManualClock

SENT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TIMEOUT = timedelta(minutes=10)
LONG_TEXT = "Hei! Tilaukseni 4711 ei ole vielä tullut. " * 10  # 420 septets: 3 parts


def _parts(text: str, sender: str = "+358401234567", reference: int = 7) -> list[SmsDeliver]:
    out = []
    for pdu in encode_deliver(sender, text, SENT, concat_reference=reference):
        message = decode_pdu(pdu)
        assert isinstance(message, SmsDeliver)
        out.append(message)
    return out


def _part(alphabet: Alphabet, body: bytes, sequence: int, total: int = 2) -> SmsDeliver:
    """A part as a foreign phone might send it, body cut wherever that phone liked."""
    header = UserDataHeader((InformationElement(0x00, bytes([99, total, sequence])),))
    return SmsDeliver(
        smsc=None,
        sender=Address("+358501112222", TOA_INTERNATIONAL),
        protocol_id=0,
        coding=DataCoding(alphabet),
        timestamp=SENT + timedelta(seconds=sequence),
        user_data=UserData(alphabet, body, header),
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SENT)


@pytest.fixture
def reassembler() -> SmsReassembler:
    return SmsReassembler(part_timeout=TIMEOUT)


def test_a_single_part_message_comes_out_at_once(
    reassembler: SmsReassembler, clock: ManualClock
) -> None:
    [message] = _parts("Soitatteko takaisin?")
    [whole] = reassembler.add(message, clock.now())
    assert whole.text == "Soitatteko takaisin?"
    assert whole.is_complete and whole.sender.value == "+358401234567"
    assert reassembler.pending_count == 0


def test_parts_in_any_order_make_the_whole_text(
    reassembler: SmsReassembler, clock: ManualClock
) -> None:
    first, second, third = _parts(LONG_TEXT)
    assert reassembler.add(third, clock.now()) == []
    clock.advance(5)
    assert reassembler.add(first, clock.now()) == []
    assert reassembler.pending_count == 1
    clock.advance(5)
    [whole] = reassembler.add(second, clock.now())
    assert whole.text == LONG_TEXT
    assert whole.is_complete
    assert [p.concatenation.sequence for p in whole.parts if p.concatenation] == [1, 2, 3]
    assert whole.received_at == SENT
    assert reassembler.pending_count == 0


def test_duplicate_parts_are_ignored_before_and_after_completion(
    reassembler: SmsReassembler, clock: ManualClock
) -> None:
    first, second, third = _parts(LONG_TEXT)
    reassembler.add(first, clock.now())
    assert reassembler.add(first, clock.now()) == []
    reassembler.add(second, clock.now())
    [whole] = reassembler.add(third, clock.now())
    assert whole.text == LONG_TEXT
    # A late retransmission must not start a phantom message that later expires.
    assert reassembler.add(second, clock.now()) == []
    assert reassembler.pending_count == 0
    clock.advance(TIMEOUT * 2)
    assert reassembler.expire(clock.now()) == []


def test_same_reference_from_two_senders_stays_apart(
    reassembler: SmsReassembler, clock: ManualClock
) -> None:
    alice = _parts("A" * 200, sender="+358401111111", reference=5)
    bob = _parts("B" * 200, sender="+358402222222", reference=5)
    assert reassembler.add(alice[0], clock.now()) == []
    assert reassembler.add(bob[1], clock.now()) == []
    [from_alice] = reassembler.add(alice[1], clock.now())
    [from_bob] = reassembler.add(bob[0], clock.now())
    assert (from_alice.text, from_bob.text) == ("A" * 200, "B" * 200)


def test_lost_part_expires_as_a_marked_incomplete_message(
    reassembler: SmsReassembler, clock: ManualClock
) -> None:
    first, _lost, third = _parts(LONG_TEXT)
    reassembler.add(first, clock.now())
    reassembler.add(third, clock.now())
    clock.advance(TIMEOUT - timedelta(seconds=1))
    assert reassembler.expire(clock.now()) == []
    clock.advance(1)
    [partial] = reassembler.expire(clock.now())
    assert not partial.is_complete
    assert partial.missing == (2,)
    assert partial.text == first.text + MISSING_PART_MARKER + third.text
    assert reassembler.pending_count == 0
    assert reassembler.expire(clock.now()) == []


def test_expired_messages_come_out_oldest_first(
    reassembler: SmsReassembler, clock: ManualClock
) -> None:
    reassembler.add(_parts("X" * 200, reference=1)[0], clock.now())
    clock.advance(60)
    reassembler.add(_parts("Y" * 200, reference=2)[1], clock.now())
    clock.advance(TIMEOUT)
    expired = reassembler.expire(clock.now())
    assert [m.missing for m in expired] == [(2,), (1,)]
    assert expired[0].text.startswith("X") and expired[1].text.endswith("Y")


def test_reused_reference_flushes_the_old_message_instead_of_dropping_the_new(
    reassembler: SmsReassembler, clock: ManualClock
) -> None:
    old = _parts("O" * 200, reference=9)
    new = _parts("N" * 200, reference=9)
    reassembler.add(old[0], clock.now())
    [flushed] = reassembler.add(new[0], clock.now())
    assert flushed.missing == (2,) and flushed.text.startswith("O")
    [whole] = reassembler.add(new[1], clock.now())
    assert whole.text == "N" * 200


def test_a_surrogate_pair_cut_by_the_sender_is_mended(
    reassembler: SmsReassembler, clock: ManualClock
) -> None:
    body = "Kiitos 🙂".encode("utf-16-be")
    first = _part(Alphabet.UCS2, body[:-2], 1)
    second = _part(Alphabet.UCS2, body[-2:], 2)
    assert first.text.endswith("\ufffd")
    reassembler.add(second, clock.now())
    [whole] = reassembler.add(first, clock.now())
    assert whole.text == "Kiitos 🙂"
    assert whole.timestamp == SENT + timedelta(seconds=1)


def test_an_escape_cut_by_the_sender_is_mended() -> None:
    first = _part(Alphabet.GSM7, b"5 \x1b", 1).user_data
    second = _part(Alphabet.GSM7, b"\x65", 2).user_data
    assert join_parts([first, second]) == "5 €"


def test_parts_in_different_alphabets_join_as_text() -> None:
    first = _part(Alphabet.GSM7, b"Hei ", 1).user_data
    second = _part(Alphabet.UCS2, "🙂".encode("utf-16-be"), 2).user_data
    assert join_parts([first, second]) == "Hei 🙂"
