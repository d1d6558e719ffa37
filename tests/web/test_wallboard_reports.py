"""The wallboard's figures and the reports (page, JSON, CSV) from a real store."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from aiohttp.test_utils import TestClient

from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallOffered
from appliance.store.models import Call
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from tests.web.conftest import log_in, open_sample_ticket


async def _calls(store: StoreWorker, clock: ManualClock) -> None:
    now = clock.now()
    rows = [("a", "answered", 10.0), ("b", "answered", 45.0), ("c", "abandoned", 60.0),
            ("d", "abandoned", 2.0)]

    def write() -> None:
        for ref, outcome, wait in rows:
            Call.create(call_ref=ref, line="gsm0", number="+358401111111", offered_at=now,
                        outcome=outcome, wait_seconds=wait)

    await store.call(write)


async def test_the_wallboard_counts_callers_work_and_breaches(
    client: TestClient, tickets: TicketBook, store: StoreWorker, clock: ManualClock,
    bus: EventBus
) -> None:
    await open_sample_ticket(tickets)
    await _calls(store, clock)
    bus.publish(CallOffered(at=clock.now(), call_id="live1", line="gsm0", number="+3584099"))
    await bus.drain()
    clock.advance(timedelta(days=3))  # every SLA due time has passed
    await log_in(client)
    board = await (await client.get("/api/wallboard")).json()
    assert board["waiting_calls"] == 1
    assert board["longest_wait_s"] == 3 * 24 * 3600
    assert board["open_tickets"] == 1
    assert board["sla_breaches"] == 1
    assert len(board["debt_trend"]["days"]) == 14
    assert board["debt_trend"]["debt"][-1] == 1
    page = await client.get("/wallboard")
    html = await page.text()
    assert page.status == 200 and "<svg" in html and "<polyline" in html
    assert 'id="wb-waiting">1<' in html


async def test_reports_count_channels_calls_and_service_level(
    client: TestClient, tickets: TicketBook, store: StoreWorker, clock: ManualClock
) -> None:
    await open_sample_ticket(tickets)
    await tickets.open_ticket("sms", "an SMS thread")
    await _calls(store, clock)
    await log_in(client)
    day = clock.now().date().isoformat()
    data = await (await client.get(f"/api/reports?from={day}&to={day}")).json()
    (row,) = data["periods"]
    assert (row["new_email"], row["new_sms"]) == (1, 1)
    # The exchange's definition, as on MQTT: the caller who hung up after 2 s is a short
    # abandon and counts nowhere but in the calls offered.
    assert (row["calls_offered"], row["calls_answered"], row["calls_abandoned"]) == (4, 2, 1)
    assert row["service_level_pct"] == 33.3  # 1 in 30 s of the 3 counted
    assert row["answer_rate_pct"] == 66.7
    assert row["service_debt"] == 2
    weekly = await (await client.get(f"/api/reports?from={day}&to={day}&by=week")).json()
    assert weekly["periods"][0]["period"].startswith("2026-W")
    response = await client.get(f"/reports.csv?from={day}&to={day}")
    assert response.content_type == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert rows[0]["calls_offered"] == "4" and rows[0]["period"] == day
    page = await client.get(f"/reports?from={day}&to={day}")
    assert page.status == 200


async def test_a_bad_report_range_is_a_clear_400(client: TestClient) -> None:
    await log_in(client)
    for query in ("from=yesterday", "from=2026-02-01&to=2026-01-01",
                  "from=2020-01-01&to=2026-01-01"):
        response = await client.get(f"/reports?{query}")
        assert response.status == 400, query
