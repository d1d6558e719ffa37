"""Where attachment files live: one folder under the data directory, files named by sha256.

Kept apart from the mail intake so that parts which only need the folder
(retention, erasure, export, the web) do not load the whole mail stack.
"""

from __future__ import annotations

from pathlib import Path


def attachments_dir(data_dir: Path) -> Path:
    """Where attachment blobs live under the data directory."""
    return data_dir / "attachments"
