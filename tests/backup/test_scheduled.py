"""`aspa backup scheduled`: when backup.at is due, a dated archive in backup.target, the newest
backup.keep kept."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from appliance.backup.errors import BackupError, BackupNotDue, BackupTargetStillMissing
from appliance.backup.scheduled import run_scheduled
from tests.backup.conftest import BackupBox, make_backup_box

NIGHT = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)


def _box(tmp_path: Path, target: Path, *, keep: int = 3, require_mount: bool = False,
         at: str = "02:30") -> BackupBox:
    toml = (f'[backup]\ntarget = "{target}"\nkeep = {keep}\nat = "{at}"\n'
            f'require_mount = {"true" if require_mount else "false"}\n')
    return make_backup_box(tmp_path / "box", extra_toml=toml)


def test_keeps_the_newest_and_leaves_other_files_alone(tmp_path: Path) -> None:
    target = tmp_path / "stick"
    target.mkdir()
    (target / "holiday.jpg").write_bytes(b"not ours")
    (target / "aspa-otherbox-20200101T000000Z.tar.gz").write_bytes(b"another box's")
    box = _box(tmp_path, target, keep=3)
    made = [run_scheduled(box.config, config_path=box.config_path,
                          now=NIGHT + timedelta(days=day))[0] for day in range(5)]
    left = sorted(p.name for p in target.iterdir())
    assert left == ["aspa-office-20260303T023000Z.tar.gz", "aspa-office-20260304T023000Z.tar.gz",
                    "aspa-office-20260305T023000Z.tar.gz",
                    "aspa-otherbox-20200101T000000Z.tar.gz", "holiday.jpg"]
    assert made[-1].name == "aspa-office-20260305T023000Z.tar.gz"


def test_an_unmounted_stick_is_refused_instead_of_filling_the_sd_card(tmp_path: Path) -> None:
    target = tmp_path / "media-aspa-backup"  # same file system as the data: nothing mounted
    target.mkdir()
    box = _box(tmp_path, target, require_mount=True)
    with pytest.raises(BackupError, match=r"same file system as the data .*not mounted"):
        run_scheduled(box.config, now=NIGHT)
    assert list(target.iterdir()) == []


def test_a_missing_target_or_none_configured_says_what_to_do(tmp_path: Path) -> None:
    box = _box(tmp_path, tmp_path / "gone")
    with pytest.raises(BackupError, match="is not there: plug in and mount"):
        run_scheduled(box.config, now=NIGHT)
    plain = make_backup_box(tmp_path / "plain")
    with pytest.raises(BackupError, match=r"backup\.target is empty"):
        run_scheduled(plain.config, now=NIGHT)


def test_once_a_day_at_backup_at_in_the_boxs_zone(tmp_path: Path) -> None:
    target = tmp_path / "stick"
    target.mkdir()
    box = _box(tmp_path, target, at="03:15")  # Helsinki: 01:15 UTC in winter
    first = run_scheduled(box.config, now=datetime(2026, 11, 24, 1, 20, tzinfo=UTC))[0]
    assert first.name == "aspa-office-20261124T012000Z.tar.gz"
    for minutes in (15, 60 * 12, 60 * 23 + 50):
        later = datetime(2026, 11, 24, 1, 20, tzinfo=UTC) + timedelta(minutes=minutes)
        with pytest.raises(BackupNotDue) as refused:
            run_scheduled(box.config, now=later)
        assert str(refused.value) == ("not due: next at 2026-11-25 03:15 EET "
                                      "(backup.at = 03:15, Europe/Helsinki)")
    assert [p.name for p in target.iterdir()] == [first.name]
    forced = run_scheduled(box.config, now=datetime(2026, 11, 24, 12, 30, tzinfo=UTC),
                           force=True)[0]
    assert forced.name == "aspa-office-20261124T123000Z.tar.gz"
    nextday = run_scheduled(box.config, now=datetime(2026, 11, 25, 1, 15, tzinfo=UTC))[0]
    assert nextday.name == "aspa-office-20261125T011500Z.tar.gz"


def test_a_missing_or_unmounted_target_is_refused_before_asking_whether_due(
        tmp_path: Path) -> None:
    box = _box(tmp_path, tmp_path / "gone")
    with pytest.raises(BackupError, match="is not there") as refused:
        run_scheduled(box.config, now=datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    assert not isinstance(refused.value, BackupNotDue)
    target = tmp_path / "media-aspa-backup"  # on the data's file system: nothing mounted
    target.mkdir()
    (target / "aspa-office-20261124T012000Z.tar.gz").write_bytes(b"today's")
    unmounted = _box(tmp_path / "second", target, require_mount=True)
    with pytest.raises(BackupError, match="not mounted") as refused:
        run_scheduled(unmounted.config, now=datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    assert not isinstance(refused.value, BackupNotDue)


def test_a_stick_left_out_is_an_error_once_per_backup_time_not_every_run(
        tmp_path: Path) -> None:
    target = tmp_path / "stick"
    box = _box(tmp_path, target, at="03:15")  # Helsinki: 01:15 UTC in winter
    first = datetime(2026, 11, 24, 1, 20, tzinfo=UTC)
    with pytest.raises(BackupError, match="is not there") as refused:
        run_scheduled(box.config, now=first)
    assert not isinstance(refused.value, BackupTargetStillMissing)
    for minutes in (15, 60 * 12, 60 * 23 + 50):  # later runs of the same day wait quietly
        with pytest.raises(BackupTargetStillMissing, match=r"still waiting .* is not there"):
            run_scheduled(box.config, now=first + timedelta(minutes=minutes))
    next_day = first + timedelta(days=1)  # the next backup.at has passed: said again, once
    with pytest.raises(BackupError) as refused:
        run_scheduled(box.config, now=next_day)
    assert not isinstance(refused.value, BackupTargetStillMissing)
    with pytest.raises(BackupTargetStillMissing):
        run_scheduled(box.config, now=next_day + timedelta(minutes=15))
    target.mkdir()  # the stick is back: the overdue backup is made at the next run
    made, _ = run_scheduled(box.config, now=next_day + timedelta(minutes=30))
    assert made.parent == target
    for archive in target.iterdir():
        archive.unlink()
    target.rmdir()  # out again after a good run: reported at once, not remembered from before
    with pytest.raises(BackupError) as refused:
        run_scheduled(box.config, now=next_day + timedelta(minutes=45))
    assert not isinstance(refused.value, BackupTargetStillMissing)


def test_a_bad_time_of_day_is_refused_naming_the_key(tmp_path: Path) -> None:
    from appliance.config.schema import ConfigError

    for wrong in ("24:00", "2:30", "02.30", "noon"):
        box = _box(tmp_path / wrong, tmp_path / "stick", at=wrong)
        with pytest.raises(ConfigError) as refused:
            _ = box.config
        assert (f"backup.at: must be a time of day as HH:MM, 00:00-23:59, such as '02:30', "
                f"not {wrong!r}") in refused.value.problems


def _aspa(config_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "appliance", "--config", str(config_path),
                           "backup", "scheduled", *args], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])


def test_the_timer_run_when_not_due_says_when_in_one_line(tmp_path: Path) -> None:
    target = tmp_path / "stick"
    target.mkdir()
    # half a day from the real clock, so that no occurrence falls between the two runs
    at = (datetime.now(UTC) + timedelta(hours=12)).astimezone(ZoneInfo("Europe/Helsinki"))
    box = _box(tmp_path, target, at=f"{at:%H:%M}")
    forced = _aspa(box.config_path, "--now")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.startswith("backup written: ")
    again = _aspa(box.config_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("not due: next at ")
    assert again.stdout.endswith(f" (backup.at = {at:%H:%M}, Europe/Helsinki)\n")
    assert again.stdout.count("\n") == 1 and again.stderr == ""
    assert len(list(target.iterdir())) == 1


def test_the_timer_with_no_target_configured_is_not_a_failure(tmp_path: Path) -> None:
    plain = make_backup_box(tmp_path / "plain")
    done = _aspa(plain.config_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("scheduled backup is off: backup.target is empty")
