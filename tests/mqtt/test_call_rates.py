"""The call rates MQTT publishes are the exchange's, with the configured threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from appliance.mqtt.live_figures import call_figures
from appliance.store.call_figures import call_figures_between
from appliance.store.models import Call

HELSINKI = ZoneInfo("Europe/Helsinki")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=HELSINKI).astimezone(UTC)


def _calls() -> None:
    rows = [("a", "answered", 15.0), ("b", "answered", 25.0), ("c", "abandoned", 2.0),
            ("d", "abandoned", 40.0), ("e", None, 3.0)]  # e is still waiting
    for ref, outcome, wait in rows:
        start = NOON - timedelta(hours=1)
        Call.create(call_ref=ref, line="gsm0", offered_at=start, outcome=outcome,
                    wait_seconds=wait,
                    answered_at=start + timedelta(seconds=wait) if outcome == "answered" else None)


async def test_threshold_and_short_abandons_follow_the_desk(store) -> None:
    await store.call(_calls)
    strict = await store.call(call_figures, NOON, HELSINKI, 20.0)
    relaxed = await store.call(call_figures, NOON, HELSINKI, 30.0)
    # Counted: a, b, d (c gave up within 5 s; e is not finished).
    assert strict == {"calls_offered_today": 5, "answer_rate_today": 66.7,
                      "service_level_today": 33.3}
    assert relaxed["service_level_today"] == 66.7
    desk = await store.call(call_figures_between, NOON - timedelta(hours=2), NOON,
                            service_level_s=20.0)
    assert round(100 * (desk.service_level or 0), 1) == strict["service_level_today"]
