"""Daily summaries: one per finished local day, queued after midnight, never twice."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from appliance.mqtt.daily_summary import days_due
from appliance.store.models import Call
from tests.mqtt.conftest import connected, receive
from tests.peers.mqtt_probe import MqttProbe

HELSINKI = ZoneInfo("Europe/Helsinki")


def local(y: int, mo: int, d: int, h: int, mi: int) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=HELSINKI).astimezone(UTC)


def test_days_due_follow_the_local_midnight_and_catch_up_a_week_at_most() -> None:
    last = date(2026, 3, 1)
    assert days_due(local(2026, 3, 2, 23, 59), HELSINKI, last) == []
    # 00:01 in Helsinki is still the previous day in UTC: the box's zone decides.
    assert days_due(local(2026, 3, 3, 0, 1), HELSINKI, last) == [date(2026, 3, 2)]
    assert days_due(local(2026, 3, 3, 0, 1), HELSINKI, None) == []
    assert len(days_due(local(2026, 3, 30, 0, 1), HELSINKI, last)) == 7


def _add_calls(day_start: datetime) -> None:
    rows = [("c1", "answered", 10.0), ("c2", "answered", 45.0), ("c3", "missed", 30.0),
            ("c4", "abandoned", 12.0)]
    for ref, outcome, wait in rows:
        answered = day_start + timedelta(seconds=wait) if outcome == "answered" else None
        Call.create(call_ref=ref, line="gsm0", offered_at=day_start, answered_at=answered,
                    outcome=outcome, wait_seconds=wait)


async def test_summary_is_sent_once_after_midnight_in_the_box_time_zone(
        mosquitto, make_adapter, clock, store) -> None:
    clock.set(local(2026, 3, 2, 23, 58))
    await store.call(_add_calls, local(2026, 3, 2, 9, 0))
    adapter = make_adapter(mosquitto, discovery=False)
    await adapter.start()
    await connected(adapter)
    probe = MqttProbe(mosquitto.host, mosquitto.port).connect()
    try:
        probe.subscribe("aspa/box1/summary/#")
        await adapter.queue_due_summaries()
        assert adapter.outbox.unsent == 0  # the day is not over
        clock.set(local(2026, 3, 3, 0, 1))
        await adapter.queue_due_summaries()
        await adapter.queue_due_summaries()  # a second tick adds nothing
        message = await receive(probe)
        await adapter.outbox.wait_empty()
    finally:
        probe.close()
    summary = json.loads(message.payload)
    assert message.topic == "aspa/box1/summary/daily"
    assert summary["day"] == "2026-03-02"
    assert summary["calls"] == {"offered": 4, "answered": 2, "missed": 1, "abandoned": 1,
                                "overflowed": 0, "answer_rate": 50.0, "service_level": 25.0}
    assert summary["event_id"]
    assert adapter.outbox.sent == 1

    # After a restart of the box the day is not summarised again.
    await adapter.stop()
    again = make_adapter(mosquitto, discovery=False)
    await again.start()
    await again.queue_due_summaries()
    assert again.outbox.unsent == 0
