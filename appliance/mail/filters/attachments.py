"""Store attachment bytes on disk under their SHA-256, once however often they arrive."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Write each attachment (if not there yet), then drop its bytes from memory."""
    for part in mail.attachments:
        part.sha256 = hashlib.sha256(part.data).hexdigest()
        part.size = len(part.data)
        store_blob(ctx.attachments_dir, part.sha256, part.data)
        part.data = b""


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
