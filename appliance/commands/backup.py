"""`aspa backup create|restore|scheduled`: copies of the box's data that a new box can take."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path

from appliance.commands.configured import config_of
from appliance.commands.errors import CommandError

EXIT_REFUSED = 1


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `backup create`, `backup restore` and `backup scheduled`."""
    backup = subparsers.add_parser("backup", help="back up or restore the database, "
                                   "attachments and configuration")
    actions = backup.add_subparsers(dest="backup_action", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create", help="write a backup archive while the daemon runs (PATH: a file or a folder)")
    create.add_argument("path", metavar="PATH", type=Path)
    create.set_defaults(handler=create_command)
    restore = actions.add_parser(
        "restore", help="restore an archive into the data directory (stop the daemon first)")
    restore.add_argument("path", metavar="PATH", type=Path)
    restore.add_argument("--with-config", action="store_true",
                         help="also put aspa.toml and its secret files back where they were")
    restore.set_defaults(handler=restore_command)
    scheduled = actions.add_parser(
        "scheduled", help="once a day at backup.at: write a dated backup to backup.target and "
        "keep backup.keep of them (the timer runs this every 15 minutes)")
    scheduled.add_argument("--now", action="store_true",
                           help="write one now even if today's backup is already there")
    scheduled.set_defaults(handler=scheduled_command)


def create_command(args: argparse.Namespace) -> int:
    """Write one backup and say where."""
    from appliance.backup.create import create_backup

    config = config_of(args)
    with _as_command_errors():
        made = create_backup(config, args.path, config_path=_config_path(args))
    print(f"backup written: {made} ({made.stat().st_size} bytes)")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    """Restore one backup and say what happened to the old data."""
    from appliance.backup.restore import restore_backup

    config = config_of(args)
    with _as_command_errors():
        report = restore_backup(config, args.path, with_config=args.with_config)
    m = report.manifest
    print(f"restored {report.files} files from {args.path} (made {m.created_at} by Aspa "
          f"{m.aspa_version} on {m.box_name}, schema {m.schema_version})")
    if report.moved_aside is not None:
        print(f"the previous data is in {report.moved_aside}: delete it once the box works")
    if report.config_restored:
        print(f"configuration restored: {', '.join(report.config_restored)}")
    elif report.config_skipped:
        print(f"configuration not touched (use --with-config to restore "
              f"{', '.join(report.config_skipped)})")
    print("start the daemon (sudo systemctl start aspa): it upgrades an older schema itself")
    return 0


def scheduled_command(args: argparse.Namespace) -> int:
    """The timer's job: when due, one dated backup in backup.target, old ones rotated out."""
    from appliance.backup.errors import (
        BackupNotConfigured,
        BackupNotDue,
        BackupTargetStillMissing,
    )
    from appliance.backup.scheduled import run_scheduled

    config = config_of(args)
    try:
        with _as_command_errors():
            made, removed = run_scheduled(config, config_path=_config_path(args),
                                          force=args.now)
    except CommandError as error:
        # the timer ran and nothing is wrong: one line for the journal
        if isinstance(error.__cause__, BackupNotConfigured):
            print(f"scheduled backup is off: {error}")
            return 0
        if isinstance(error.__cause__, BackupNotDue | BackupTargetStillMissing):
            print(error)
            return 0
        raise
    print(f"backup written: {made}; {len(removed)} old backups removed")
    return 0


def _config_path(args: argparse.Namespace) -> Path | None:
    return Path(args.config) if args.config else None


@contextlib.contextmanager
def _as_command_errors() -> Iterator[None]:
    """Turn backup and store errors into one-sentence command errors."""
    from appliance.backup.errors import BackupError
    from appliance.store.errors import StoreError

    try:
        yield
    except (BackupError, StoreError) as error:
        raise CommandError(str(error), EXIT_REFUSED) from error
