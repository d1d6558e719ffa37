"""When the scheduled backup is due: backup.at in the box's zone, against the newest archive."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance.backup.due import archive_time, decide, newest_backup

HELSINKI = ZoneInfo("Europe/Helsinki")
AT = time(2, 30)


def _local(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=HELSINKI, fold=fold)  # type: ignore[misc]


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_no_backup_yet_is_due_at_once() -> None:
    decision = decide(_local(2026, 11, 24, 10, 0), AT, HELSINKI, None)
    assert decision.due and decision.slot == _local(2026, 11, 24, 2, 30)


def test_before_the_time_yesterdays_backup_is_enough_and_the_next_is_tonight() -> None:
    yesterday = _local(2026, 11, 23, 2, 31)
    decision = decide(_local(2026, 11, 24, 2, 15), AT, HELSINKI, yesterday)
    assert not decision.due
    assert decision.slot == _local(2026, 11, 24, 2, 30)
    assert decide(_local(2026, 11, 24, 2, 30), AT, HELSINKI, yesterday).due


def test_a_box_that_was_off_at_the_time_backs_up_at_its_next_run() -> None:
    two_nights_ago = _local(2026, 11, 22, 2, 30, 5)
    decision = decide(_local(2026, 11, 24, 9, 45), AT, HELSINKI, two_nights_ago)
    assert decision.due and decision.slot == _local(2026, 11, 24, 2, 30)
    made = _local(2026, 11, 24, 9, 45, 30)
    later = decide(_local(2026, 11, 24, 10, 0), AT, HELSINKI, made)
    assert not later.due and later.slot == _local(2026, 11, 25, 2, 30)


def test_a_backup_made_by_hand_after_the_time_counts_for_the_day() -> None:
    by_hand = _local(2026, 11, 24, 14, 0)
    for hour in (14, 18, 23):
        decision = decide(_local(2026, 11, 24, hour, 15), AT, HELSINKI, by_hand)
        assert not decision.due and decision.slot == _local(2026, 11, 25, 2, 30)
    assert decide(_local(2026, 11, 25, 2, 30), AT, HELSINKI, by_hand).due


def test_a_backup_made_by_hand_before_the_time_does_not() -> None:
    by_hand = _local(2026, 11, 24, 1, 0)
    assert decide(_local(2026, 11, 24, 2, 45), AT, HELSINKI, by_hand).due


def test_across_midnight_the_latest_time_is_yesterdays() -> None:
    late = time(23, 50)
    before = _local(2026, 12, 31, 23, 49)
    decision = decide(_local(2027, 1, 1, 0, 10), late, HELSINKI, before)
    assert decision.due and decision.slot == _local(2026, 12, 31, 23, 50)
    done = decide(_local(2027, 1, 1, 0, 25), late, HELSINKI, _local(2027, 1, 1, 0, 10, 20))
    assert not done.due and done.slot == _local(2027, 1, 1, 23, 50)
    early = time(0, 5)
    assert decide(_local(2027, 1, 1, 0, 10), early, HELSINKI, before).slot == _local(
        2027, 1, 1, 0, 5)


def test_spring_forward_day_a_skipped_time_runs_an_hour_later_once() -> None:
    # 2026-03-29 in Helsinki: 03:00 EET becomes 04:00 EEST, so 03:30 never happens.
    skipped = time(3, 30)
    night_before = _local(2026, 3, 28, 3, 30, 10)
    at_four = decide(_local(2026, 3, 29, 4, 15), skipped, HELSINKI, night_before)
    assert not at_four.due and at_four.slot == _utc(2026, 3, 29, 1, 30)  # 04:30 EEST
    at_half_past = decide(_local(2026, 3, 29, 4, 30), skipped, HELSINKI, night_before)
    assert at_half_past.due
    after = decide(_local(2026, 3, 29, 5, 0), skipped, HELSINKI, _local(2026, 3, 29, 4, 30, 9))
    assert not after.due and after.slot == _local(2026, 3, 30, 3, 30)
    # 02:30 exists that day, 23 hours after the previous one
    usual = decide(_local(2026, 3, 29, 2, 45), AT, HELSINKI, _local(2026, 3, 28, 2, 31))
    assert usual.due and usual.slot == _utc(2026, 3, 29, 0, 30)


def test_fall_back_day_a_repeated_time_backs_up_once() -> None:
    # 2026-10-25 in Helsinki: 04:00 EEST becomes 03:00 EET, so 03:30 happens twice.
    repeated = time(3, 30)
    first = _local(2026, 10, 25, 3, 30, fold=0)
    assert first.astimezone(UTC) == _utc(2026, 10, 25, 0, 30)
    decision = decide(first, repeated, HELSINKI, _local(2026, 10, 24, 3, 30, 10))
    assert decision.due and decision.slot == _utc(2026, 10, 25, 0, 30)
    made = _utc(2026, 10, 25, 0, 30, 10)
    second = _local(2026, 10, 25, 3, 45, fold=1)  # an hour later by the clock on the wall
    assert second.astimezone(UTC) == _utc(2026, 10, 25, 1, 45)
    again = decide(second, repeated, HELSINKI, made)
    assert not again.due and again.slot == _local(2026, 10, 26, 3, 30)
    # the day is 25 hours long: 02:30 comes 25 hours after the previous one
    usual = decide(_local(2026, 10, 25, 2, 45), AT, HELSINKI, _local(2026, 10, 24, 2, 31))
    assert usual.due and usual.slot == _utc(2026, 10, 24, 23, 30)


def test_the_box_zone_decides_not_utc() -> None:
    # 02:30 in Helsinki is 00:30 UTC in winter; at 01:00 UTC it has passed.
    now = _utc(2026, 11, 24, 1, 0)
    assert decide(now, AT, HELSINKI, _utc(2026, 11, 23, 1, 0)).due
    assert not decide(now, AT, ZoneInfo("UTC"), _utc(2026, 11, 23, 3, 0)).due


def test_the_newest_archive_is_read_from_this_boxs_complete_dated_names(tmp_path: Path) -> None:
    now = _utc(2026, 11, 24, 12, 0)
    names = ["aspa-office-20261122T003000Z.tar.gz", "aspa-office-20261123T003012Z.tar.gz",
             "aspa-office-2-20261124T003000Z.tar.gz",  # box "office-2"
             "aspa-office-20261124T003000Z.tar.gz.part", "aspa-office-notes.tar.gz",
             "aspa-office-20261399T003000Z.tar.gz",  # no such date
             "aspa-office-20300101T000000Z.tar.gz"]  # made while the clock was wrong
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    staging = tmp_path / ".aspa-backup-abc123"
    staging.mkdir()
    (staging / "aspa-office-20261124T110000Z.tar.gz").write_bytes(b"half")
    (tmp_path / "aspa-office-20261124T100000Z.tar.gz").mkdir()  # a folder, not an archive
    assert newest_backup(tmp_path, "office", now) == _utc(2026, 11, 23, 0, 30, 12)
    assert newest_backup(tmp_path, "office-2", now) == _utc(2026, 11, 24, 0, 30)
    assert newest_backup(tmp_path, "other", now) is None
    assert archive_time("aspa-office-20261123T003012Z.tar.gz", "office") == _utc(
        2026, 11, 23, 0, 30, 12)
    assert archive_time("aspa-office-2-20261124T003000Z.tar.gz", "office") is None
