"""`aspa backup scheduled` (run often by aspa-backup.timer): once a day at backup.at, a dated
backup to the target, backup.keep kept."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance.backup.create import create_backup
from appliance.backup.due import archive_time, decide, latest_occurrence, newest_backup
from appliance.backup.errors import (
    BackupError,
    BackupNotConfigured,
    BackupNotDue,
    BackupTargetStillMissing,
)
from appliance.config.aspa_toml import Config

log = logging.getLogger("aspa.backup")


def run_scheduled(config: Config, *, config_path: Path | None = None,
                  now: datetime | None = None, force: bool = False) -> tuple[Path, list[Path]]:
    """Write one backup to backup.target when due (or `force`d); delete the oldest beyond keep.

    Raises BackupNotDue when today's backup is already there.
    """
    now = now or datetime.now(UTC)
    zone = ZoneInfo(config.box.time_zone)
    try:
        target = usable_target(config)
    except BackupNotConfigured:
        raise
    except BackupError as error:
        if not force:
            _report_once_per_slot(config, now, zone, error)
        raise
    _forget_reported_problem(config)
    if not force:
        newest = newest_backup(target, config.box.name, now)
        decision = decide(now, config.backup.time_of_day, zone, newest)
        if not decision.due:
            local = decision.slot.astimezone(zone)
            raise BackupNotDue(f"not due: next at {local:%Y-%m-%d %H:%M %Z} "
                               f"(backup.at = {config.backup.at}, {config.box.time_zone})")
    made = create_backup(config, target, config_path=config_path, now=now)
    removed = prune(target, config.box.name, config.backup.keep)
    log.info("backup %s written; removed %d old ones", made, len(removed))
    return made, removed


def usable_target(config: Config) -> Path:
    """backup.target, if it is set, there and mounted; else why not."""
    settings = config.backup
    if not settings.target:
        raise BackupNotConfigured("backup.target is empty: set it in aspa.toml to the USB "
                                  "stick's or network share's folder (e.g. /media/aspa-backup)")
    target = Path(settings.target)
    if not target.is_dir():
        raise BackupError(f"backup target {target} is not there: plug in and mount the USB "
                          f"stick or network share, or fix backup.target")
    if settings.require_mount and _same_file_system(target, config.data_path):
        raise BackupError(f"backup target {target} is on the same file system as the data "
                          f"({config.data_path}): the USB stick or share is not mounted; "
                          f"mount it (or set backup.require_mount = false)")
    return target


# The timer runs every 15 minutes: a stick left out would fail 96 times a day. The first
# failure after each backup.at is an error (journal, unit state); the rest wait quietly.
PROBLEM_REPORTED = "backup-problem-reported"


def _report_once_per_slot(config: Config, now: datetime, zone: ZoneInfo,
                          error: BackupError) -> None:
    """Raise BackupTargetStillMissing if this problem was already reported since the last `at`."""
    marker = config.data_path / PROBLEM_REPORTED
    slot = latest_occurrence(now, config.backup.time_of_day, zone)
    try:
        reported = datetime.fromisoformat(marker.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        reported = None
    if reported is not None and slot <= reported <= now:
        raise BackupTargetStillMissing(f"still waiting for the backup target (reported at "
                                       f"{reported.astimezone(zone):%Y-%m-%d %H:%M %Z}): "
                                       f"{error}") from error
    try:
        marker.write_text(now.astimezone(UTC).isoformat(), encoding="ascii")
    except OSError as write_error:
        log.warning("cannot note the reported backup problem in %s: %s", marker, write_error)


def _forget_reported_problem(config: Config) -> None:
    (config.data_path / PROBLEM_REPORTED).unlink(missing_ok=True)


def prune(folder: Path, box_name: str, keep: int) -> list[Path]:
    """Delete this box's oldest complete backups so that `keep` remain; return those deleted."""
    ours = sorted(p for p in folder.iterdir()
                  if archive_time(p.name, box_name) is not None and p.is_file())
    doomed = ours[:-keep] if len(ours) > keep else []
    for path in doomed:
        path.unlink()
    return doomed


def _same_file_system(target: Path, data_dir: Path) -> bool:
    probe = data_dir if data_dir.exists() else Path("/")
    return os.stat(target).st_dev == os.stat(probe).st_dev
