"""Attachment files: one folder under the data directory, files named by their sha256.

Kept apart from the mail intake so that parts which only need the files
(retention, erasure, export, the web, replies) do not load the whole mail stack.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except FileNotFoundError:
        # First blob of this fan-out folder: make it only now (a mkdir on every blob was
        # a measurable share of the intake's time on a slow card).
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
