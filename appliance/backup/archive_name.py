"""A backup archive's file name: what `aspa backup create` writes and the schedule looks for.

Apart from the archive's writer, so that the daemon's backup check (is one due?
is the last one recent?) loads neither tarfile nor the database dumpers.
"""

from __future__ import annotations

from datetime import UTC, datetime

ARCHIVE_SUFFIX = ".tar.gz"


def default_name(box_name: str, now: datetime) -> str:
    """aspa-<box>-<UTC time>.tar.gz: names sort in time order."""
    return f"aspa-{box_name}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}{ARCHIVE_SUFFIX}"
