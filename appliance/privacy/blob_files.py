"""Attachment files on disk: removed once no Attachment row names their SHA-256 any more.

Files are stored once per content (appliance/mail/filters/attachments.py), so
two customers who were sent the same file share it: it goes when the last
row naming it goes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from appliance.privacy.query_rows import first_column
from appliance.store.attachment_folder import blob_path
from appliance.store.models import Attachment

log = logging.getLogger("aspa.privacy.files")


def unreferenced(hashes: Iterable[str]) -> list[str]:
    """Those of these hashes that no Attachment row names."""
    wanted = sorted(set(hashes))
    if not wanted:
        return []
    still = set(first_column(Attachment.select(Attachment.sha256)
                             .where(Attachment.sha256.in_(wanted))))
    return [h for h in wanted if h not in still]


def remove_blobs(root: Path, hashes: Iterable[str]) -> int:
    """Delete these blobs from the attachments folder; returns how many files went."""
    removed = 0
    for sha256 in hashes:
        if len(sha256) < 3 or not sha256.isalnum():
            continue  # never let a damaged row name a path outside the folder
        path = blob_path(root, sha256)
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
        except OSError as error:
            log.error("could not delete attachment file %s: %s", path, error)
    return removed
