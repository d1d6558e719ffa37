"""An SMS reply leaves through a real (simulated) modem: the AT traffic of a SIM800 on a pty."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from appliance.gsm.line import GsmLine
from appliance.gsm.line_set import GsmLineSet
from appliance.gsm.pdu_decode import decode_pdu
from appliance.gsm.sms_messages import SmsSubmit
from appliance.store.models import Message
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.web.frame.store_backend import StoreWebBackend
from tests.gsm.line_harness import Line, close_line, open_line
from tests.web.conftest import log_in, open_sample_ticket


@pytest.fixture
async def line(tmp_path: Path) -> AsyncIterator[Line]:
    running = await open_line(tmp_path, "sim800")
    try:
        yield running
    finally:
        await close_line(running)


async def test_an_sms_reply_is_sent_on_the_line(
    client: TestClient, tickets: TicketBook, backend: StoreWebBackend, line: Line
) -> None:
    backend.lines = GsmLineSet([GsmLine(line.driver)])
    number = await open_sample_ticket(tickets, channel="sms")
    token = await log_in(client)
    page = await client.post(f"/tickets/{number}/reply", data={
        "csrf_token": token, "channel": "sms", "body": "Asentaja tulee huomenna klo 9."})
    assert "The reply is on its way." in await page.text()
    [pdu] = line.sim.sent_sms
    submit = decode_pdu(pdu)
    assert isinstance(submit, SmsSubmit)
    assert (submit.recipient.value, submit.text) == ("+358401234567",
                                                     "Asentaja tulee huomenna klo 9.")


async def test_a_failed_send_keeps_the_reply_and_says_so(
    client: TestClient, tickets: TicketBook, backend: StoreWebBackend, line: Line,
    store: StoreWorker
) -> None:
    backend.lines = GsmLineSet([GsmLine(line.driver)])
    await close_line(line)  # the modem went away
    number = await open_sample_ticket(tickets, channel="sms")
    token = await log_in(client)
    response = await client.post(f"/api/tickets/{number}/reply", json={
        "channel": "sms", "body": "Soitamme."}, headers={"X-CSRF-Token": token})
    data = await response.json()
    assert data["queued_for_sending"] is False and data["problem"]
    stored = await store.call(lambda: Message.get(Message.id == data["message_id"]))
    assert (stored.direction, stored.body_text) == ("out", "Soitamme.")


async def test_a_failed_send_shows_the_parts_it_took(
    client: TestClient, tickets: TicketBook, backend: StoreWebBackend, line: Line
) -> None:
    backend.lines = GsmLineSet([GsmLine(line.driver)])
    await close_line(line)
    number = await open_sample_ticket(tickets, channel="sms")
    token = await log_in(client)
    page = await (await client.post(f"/tickets/{number}/reply", data={
        "csrf_token": token, "channel": "sms", "body": "Košice " + "a" * 70})).text()
    assert "could not be sent now" in page
    assert "SMS parts: 2 (characters: 77, UCS-2 alphabet)." in page
    refused = await client.post(f"/tickets/{number}/reply", data={
        "csrf_token": token, "channel": "sms", "body": "Hei " + "€" * 80, "cc": "a@b.fi"})
    again = await refused.text()
    assert refused.status == 400 and "An SMS carries neither copies nor files" in again
    assert "Characters: 164, SMS parts: 2 (GSM-7: 160 fit in one SMS" in again  # € is 2
