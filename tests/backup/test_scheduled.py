"""`aspa backup scheduled`: a dated archive in backup.target, the newest backup.keep kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.backup.errors import BackupError
from appliance.backup.scheduled import run_scheduled
from tests.backup.conftest import BackupBox, make_backup_box

NIGHT = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)


def _box(tmp_path: Path, target: Path, *, keep: int = 3, require_mount: bool = False) -> BackupBox:
    toml = (f'[backup]\ntarget = "{target}"\nkeep = {keep}\n'
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


def test_the_timer_with_no_target_configured_is_not_a_failure(tmp_path: Path) -> None:
    import subprocess
    import sys

    plain = make_backup_box(tmp_path / "plain")
    done = subprocess.run([sys.executable, "-m", "appliance", "--config", str(plain.config_path),
                           "backup", "scheduled"], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("scheduled backup is off: backup.target is empty")
