"""Service level, answer rate, waits and abandoned calls, from samples and from Call rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.store.call_figures import CallSample, call_figures_between, figures
from appliance.store.models import Call
from appliance.store.startup import open_store


def test_service_level_counts_answers_within_the_threshold_and_skips_short_abandons() -> None:
    result = figures([
        CallSample("answered", 10), CallSample("answered", 45), CallSample("deflected", 5),
        CallSample("abandoned", 2), CallSample("abandoned", 40), CallSample("overflowed", 180),
        CallSample("interrupted", 20),
    ])
    assert (result.offered, result.answered, result.answered_in_time) == (6, 3, 2)
    assert (result.abandoned, result.overflowed, result.interrupted) == (1, 1, 1)
    assert result.service_level == pytest.approx(2 / 6)
    assert result.answer_rate == pytest.approx(3 / 6)
    assert result.average_wait_s == pytest.approx((10 + 45 + 5 + 40 + 180 + 20) / 6)
    assert result.longest_wait_s == 180


def test_no_calls_means_no_rates_rather_than_zero() -> None:
    result = figures([])
    assert result.service_level is None and result.answer_rate is None


def test_figures_from_the_call_rows_of_a_period(tmp_path: Path) -> None:
    db = open_store(tmp_path / "aspa.db")
    try:
        day = datetime(2026, 3, 2, 9, tzinfo=UTC)
        for i, (outcome, wait) in enumerate(
                [("answered", 12.0), ("abandoned", 30.0), ("answered", 50.0)]):
            Call.create(call_ref=f"c{i}", line="gsm0", offered_at=day + timedelta(minutes=i),
                        outcome=outcome, wait_seconds=wait)
        Call.create(call_ref="yesterday", line="gsm0", offered_at=day - timedelta(days=1),
                    outcome="answered", wait_seconds=1.0)
        Call.create(call_ref="live", line="gsm0", offered_at=day, outcome=None)
        result = call_figures_between(day, day + timedelta(days=1))
        assert (result.offered, result.answered, result.answered_in_time) == (3, 2, 1)
        assert result.longest_wait_s == 50.0
    finally:
        db.close()
