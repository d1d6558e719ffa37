"""Attachment files: one folder under the data directory, files named by their sha256.

Kept apart from the mail intake so that parts which only need the files
(retention, erasure, export, the web, replies) do not load the whole mail stack.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

# Temporary names: this process's id and a counter, opened with O_EXCL. tempfile.mkstemp
# draws a random name per file, which the intake paid once per attachment; the names only
# need to be unique among the writers of this folder (the daemon and its parsing process).
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
_temp_numbers = itertools.count()


def attachments_dir(data_dir: Path) -> Path:
    """Where attachment blobs live under the data directory."""
    return data_dir / "attachments"


def blob_path(root: Path, sha256: str) -> Path:
    """Where a blob lives: two-level fan-out keeps directories small."""
    return root / sha256[:2] / sha256


def store_blob(root: Path, sha256: str, data: bytes) -> Path:
    """Write a blob atomically (temp file + rename) unless the same bytes are already stored."""
    path = blob_path(root, sha256)
    if path.exists():
        return path
    try:
        fd, tmp = _open_temp(path.parent)
    except FileNotFoundError:
        # First blob of this fan-out folder: make it only now (a mkdir on every blob was
        # a measurable share of the intake's time on a slow card).
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _open_temp(path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _open_temp(folder: Path) -> tuple[int, str]:
    """A new file of mode 0600 in `folder` for this process alone: (fd, its path)."""
    while True:
        tmp = f"{folder}/.tmp-{os.getpid()}-{next(_temp_numbers)}"
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o600), tmp
        except FileExistsError:
            continue  # left over by an earlier process with the same id
