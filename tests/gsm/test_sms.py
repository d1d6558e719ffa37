"""SMS on every model: receive (deleted only once stored), long and UCS-2 texts, send, reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from appliance.gsm.pdu import SmsSubmit, decode_pdu
from appliance.gsm.simulator import SimulatedModem, StoredSms
from appliance.ports.sms_inbox import IncomingSms
from appliance.spine.events import SmsDeliveryReport, SmsReceived, SmsSent

from .line_harness import Line, close_line, eventually, open_line


class Store:
    """An SMS handler that keeps what it is given, or fails when told to."""

    def __init__(self) -> None:
        self.messages: list[IncomingSms] = []
        self.fail = False

    async def __call__(self, sms: IncomingSms) -> None:
        if self.fail:
            raise OSError("disk full")
        self.messages.append(sms)


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
async def sms_line(tmp_path: Path, model: str, store: Store) -> AsyncIterator[Line]:
    running = await open_line(tmp_path, model, sms_sink=store)
    try:
        yield running
    finally:
        await close_line(running)


async def test_received_sms_is_stored_then_deleted(sms_line: Line, store: Store) -> None:
    [index] = await sms_line.sim.sms_arrives("+358401234567", "Hei, soittakaa minulle!")
    event = await sms_line.log.wait_for(SmsReceived)
    assert (event.number, event.text) == ("+358401234567", "Hei, soittakaa minulle!")
    assert [m.text for m in store.messages] == ["Hei, soittakaa minulle!"]
    await eventually(lambda: index in sms_line.sim.deleted_sms)
    assert sms_line.sim.sms == {}


async def test_sms_stays_on_the_sim_when_the_handler_fails(sms_line: Line, store: Store) -> None:
    store.fail = True
    [index] = await sms_line.sim.sms_arrives("+358401234567", "tärkeä viesti")
    await sms_line.sim.wait_for_command(f"AT+CMGR={index}")
    await sms_line.driver.sms.fetch(index)  # a second try fails the same way
    assert index in sms_line.sim.sms
    assert not sms_line.log.of(SmsReceived)
    store.fail = False
    await sms_line.driver.sms.fetch(index)
    assert [m.text for m in store.messages] == ["tärkeä viesti"]
    assert index not in sms_line.sim.sms


async def test_long_message_arrives_whole(sms_line: Line, store: Store) -> None:
    text = "Pitkä viesti, jossa on paljon sanoja ja åäö-kirjaimia. " * 6
    indexes = await sms_line.sim.sms_arrives("+358401234567", text)
    assert len(indexes) == 3
    event = await sms_line.log.wait_for(SmsReceived)
    assert event.text == text
    await eventually(lambda: sorted(sms_line.sim.deleted_sms) == sorted(indexes))
    assert len(store.messages) == 1 and store.messages[0].complete


async def test_ucs2_message_with_emoji(sms_line: Line) -> None:
    await sms_line.sim.sms_arrives("+358401234567", "Kiitos 👍 Привет")
    event = await sms_line.log.wait_for(SmsReceived)
    assert event.text == "Kiitos 👍 Привет"


async def test_messages_stored_while_away_are_collected_at_start(
        tmp_path: Path, store: Store) -> None:
    def prepare(sim: SimulatedModem) -> None:
        from appliance.gsm.simulator.sms_network import deliver_parts

        for part in deliver_parts("+358409876543", "while you were out"):
            sim.store_sms(part)

    running = await open_line(tmp_path, "sim7600", sms_sink=store, prepare=prepare)
    try:
        event = await running.log.wait_for(SmsReceived)
        assert event.text == "while you were out"
        assert running.sim.sms == {}
    finally:
        await close_line(running)


async def test_undecodable_pdu_goes_to_the_handler_with_the_reason(sms_line: Line,
                                                                   store: Store) -> None:
    index = sms_line.sim.store_sms(StoredSms(True, "?", "?", "07915348500202000400", 9))
    sms_line.sim.urc(f'+CMTI: "SM",{index}')
    await eventually(lambda: bool(store.messages))
    bad = store.messages[0]
    assert bad.error is not None and "PDU" in bad.error
    assert bad.raw_pdus == ("07915348500202000400",)
    assert not sms_line.log.of(SmsReceived)


async def test_send_short_sms(sms_line: Line) -> None:
    references = await sms_line.driver.send_sms("+358401234567", "Soitamme huomenna klo 9.")
    assert len(references) == 1
    [pdu] = sms_line.sim.sent_sms
    submit = decode_pdu(pdu)
    assert isinstance(submit, SmsSubmit)
    assert submit.recipient.value == "+358401234567"
    assert submit.text == "Soitamme huomenna klo 9."
    assert submit.status_report_requested
    sent = await sms_line.log.wait_for(SmsSent)
    assert sent.references == references


async def test_send_long_sms_as_concatenated_parts(sms_line: Line) -> None:
    text = "Hyvä asiakas, " + "tämä on pitkä vastaus. " * 12
    references = await sms_line.driver.send_sms("+358401234567", text)
    assert len(references) == len(sms_line.sim.sent_sms) == 2
    parts = [decode_pdu(p) for p in sms_line.sim.sent_sms]
    assert all(isinstance(p, SmsSubmit) for p in parts)
    assert "".join(p.text for p in parts) == text  # type: ignore[union-attr]


async def test_delivery_report_is_published(sms_line: Line) -> None:
    [reference] = await sms_line.driver.send_sms("+358401234567", "kuittaus")
    await sms_line.sim.delivery_report(reference, "+358401234567", status=0)
    report = await sms_line.log.wait_for(SmsDeliveryReport)
    assert (report.reference, report.number, report.outcome) == (
        reference, "+358401234567", "delivered")
