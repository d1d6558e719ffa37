"""What goes wrong with a backup, said so that the installer knows what to do."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore could not be done; nothing half-made was left behind."""


class BackupRefused(BackupError):
    """The archive is not one this Aspa can restore (damaged, foreign or too new)."""


class DaemonRunning(BackupError):
    """The daemon holds the data directory, so a restore would swap it underneath."""


class BackupNotConfigured(BackupError):
    """backup.target is empty: the timer has nothing to do, which is not a failure."""


class BackupNotDue(BackupError):
    """Today's scheduled backup is already in the target: the timer's run has nothing to do."""


class BackupTargetStillMissing(BackupError):
    """The target is still unusable and that was already reported since the last backup.at."""
