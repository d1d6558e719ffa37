"""The nightly run: scheduled after local midnight in the box's zone, driven by injected time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance.config.sections.retention import RetentionSettings
from appliance.privacy.audit import RETENTION, audit_log
from appliance.privacy.nightly import NightlyRetention, next_run
from appliance.spine.clock import ManualClock
from appliance.store.models import Quarantine
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_next_run_is_a_quarter_past_local_midnight() -> None:
    # 23:00 UTC on 1 June is 02:00 on 2 June in Helsinki (UTC+3): that night's run has passed
    assert next_run(datetime(2026, 6, 1, 23, 0, tzinfo=UTC), HELSINKI) == datetime(
        2026, 6, 3, 0, 15, tzinfo=HELSINKI)
    assert next_run(datetime(2026, 6, 1, 21, 0, tzinfo=UTC), HELSINKI) == datetime(
        2026, 6, 2, 0, 15, tzinfo=HELSINKI)
    # the clocks go forward on 29 March 2026: local 00:15 moves from 22:15 to 21:15 UTC
    assert next_run(datetime(2026, 3, 28, 22, 15, tzinfo=UTC), HELSINKI).astimezone(UTC) == \
        datetime(2026, 3, 29, 21, 15, tzinfo=UTC)
    assert next_run(datetime(2026, 3, 28, 22, 14, tzinfo=UTC), HELSINKI).astimezone(UTC) == \
        datetime(2026, 3, 28, 22, 15, tzinfo=UTC)


async def test_the_loop_runs_the_policy_at_night_with_the_clock_of_that_night(
        tmp_path: Path) -> None:
    db = open_store(tmp_path / "aspa.db")
    start = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    Quarantine.create(source="mail:support", reason="old", raw=b"x",
                      received_at=start - timedelta(days=2, hours=1))
    Quarantine.create(source="mail:support", reason="young", raw=b"x",
                      received_at=start - timedelta(days=1))
    db.close()
    clock = ManualClock(start)
    waits: list[float] = []
    second_night = asyncio.Event()

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds)
        if len(waits) == 3:
            second_night.set()
            await asyncio.Event().wait()  # parked until stop()

    store = StoreWorker(db)
    job = NightlyRetention(store, RetentionSettings(quarantine_days=2), HELSINKI,
                           tmp_path / "attachments", clock, sleep=sleep)
    try:
        await job.start()
        await asyncio.wait_for(second_night.wait(), timeout=10)
        await job.stop()
        assert waits[0] == (datetime(2026, 6, 2, 0, 15, tzinfo=HELSINKI) - start).total_seconds()
        assert waits[1] == 24 * 3600
        # the first night (2 June, 00:15 local) removed the old row, the second the other
        runs = await store.call(audit_log, action=RETENTION)
        assert [(r.at, r.detail["removed"]["quarantine"]) for r in runs] == [
            (datetime(2026, 6, 2, 21, 15, tzinfo=UTC), 1),
            (datetime(2026, 6, 1, 21, 15, tzinfo=UTC), 1)]
        assert await store.call(lambda: Quarantine.select().count()) == 0
        assert job.health().ok and "next run 2026-06-04 00:15" in job.health().detail
    finally:
        store.close()
