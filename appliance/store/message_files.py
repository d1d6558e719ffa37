"""Files an agent sent with a reply, kept like the ones customers send: a blob named by
its SHA-256 under the attachments folder and an Attachment row on the message."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from appliance.store.attachment_folder import store_blob
from appliance.store.models import Attachment
from appliance.tickets.reply_files import ReplyFile


def keep_files(root: Path, message_id: int, files: Sequence[ReplyFile]) -> list[int]:
    """Store each file and link it to the message; the Attachment ids, in order."""
    ids = []
    for file in files:
        digest = hashlib.sha256(file.data).hexdigest()
        store_blob(root, digest, file.data)
        row = Attachment.create(message=message_id, filename=file.name[:255],
                                content_type=file.content_type[:255], size=file.size,
                                sha256=digest)
        ids.append(int(row.id))
    return ids
