"""The privacy pages with the running parts of the box: a GSM line's SIM, the nightly run."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from appliance.config.sections.retention import RetentionSettings
from appliance.gsm.line import GsmLine
from appliance.gsm.line_set import GsmLineSet
from appliance.gsm.simulator.sms_network import deliver_parts
from appliance.privacy.nightly import NightlyRetention
from appliance.spine.clock import ManualClock
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from appliance.web.frame.privacy_parts import PrivacyParts
from appliance.web.frame.store_backend import StoreWebBackend
from tests.gsm.line_harness import Line, close_line, open_line
from tests.web.conftest import log_in, open_sample_ticket
from tests.web.test_privacy_pages import customer_of_ticket


@pytest.fixture
async def line(tmp_path: Path) -> AsyncIterator[tuple[Line, list[int]]]:
    """A simulated SIM7600 whose SIM still holds two SMS from Maija and one from someone else."""
    stored: list[int] = []

    def prepare(sim) -> None:  # type: ignore[no-untyped-def]
        for number, text in (("+358401234567", "Maija 1"), ("+358409999999", "someone else"),
                             ("0401234567", "Maija 2")):
            for part in deliver_parts(number, text):
                stored.append(sim.store_sms(part))

    (tmp_path / "modem").mkdir()
    running = await open_line(tmp_path / "modem", "sim7600", prepare=prepare)
    try:
        yield running, stored
    finally:
        await close_line(running)


async def _client(backend: StoreWebBackend, clock: ManualClock) -> TestClient:
    client = TestClient(TestServer(make_app(backend, secret_key=secrets.token_bytes(32),
                                            clock=clock)))
    await client.start_server()
    return client


async def test_an_erasure_also_deletes_their_sms_left_on_the_sim(
    backend: StoreWebBackend, clock: ManualClock, tickets: TicketBook, store: StoreWorker,
    tmp_path: Path, line: tuple[Line, list[int]]
) -> None:
    running, stored = line
    backend.privacy = replace(PrivacyParts(tmp_path),
                              lines=GsmLineSet([GsmLine(running.driver)]))
    number = await open_sample_ticket(tickets)
    customer_id = await store.call(customer_of_ticket, number)
    client = await _client(backend, clock)
    try:
        token = await log_in(client)
        done = await client.post(f"/admin/customers/{customer_id}/erase",
                                 data={"csrf_token": token, "confirm": str(customer_id)})
        assert done.status == 200
        assert "<th>SMS deleted from the SIM</th><td>2</td>" in await done.text()
        assert sorted(running.sim.sms) == [stored[1]]  # the other person's message stays
    finally:
        await client.close()


async def test_the_settings_page_shows_the_policy_and_the_last_run(
    backend: StoreWebBackend, clock: ManualClock, store: StoreWorker, tmp_path: Path
) -> None:
    policy = RetentionSettings(quarantine_days=0)
    nightly = NightlyRetention(store, policy, backend.zone, tmp_path / "attachments", clock)
    backend.privacy = replace(PrivacyParts(tmp_path), policy=tuple(policy.policy()),
                              retention=lambda: nightly)
    client = await _client(backend, clock)
    try:
        await log_in(client)
        before = await (await client.get("/api/admin/settings")).json()
        assert ["closed_tickets", 730] in before["retention"]["policy"]
        assert before["retention"]["last_run"] is None
        nightly.last_report = await nightly.run_once()
        after = await (await client.get("/api/admin/settings")).json()
        assert after["retention"]["last_run"] == clock.now().isoformat()
        assert after["retention"]["ok"] and "last run removed 0 items" in \
            after["retention"]["detail"]
        page = await (await client.get("/admin/settings",
                                       headers={"Accept-Language": "en"})).text()
        assert "<th>quarantine</th><td>kept for ever</td>" in page
        assert "<th>audit</th><td>730 days</td>" in page
    finally:
        await client.close()
