"""Files an agent sent with a reply, kept like the ones customers send: a blob named by
its SHA-256 under the attachments folder and an Attachment row on the message."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from appliance.store.attachment_folder import store_blob
from appliance.store.models import Attachment
from appliance.tickets.reply_files import ReplyFile


def store_blobs(root: Path, files: Sequence[ReplyFile]) -> list[str]:
    """Write each file's blob (any thread: a blob is named by its bytes, written once and
    renamed into place); their SHA-256 digests, in order."""
    digests = []
    for file in files:
        digest = hashlib.sha256(file.data).hexdigest()
        store_blob(root, digest, file.data)
        digests.append(digest)
    return digests


def link_files(message_id: int, files: Sequence[ReplyFile], digests: Sequence[str]) -> list[int]:
    """The Attachment rows of the message for files whose blobs are stored; their ids."""
    ids = []
    for file, digest in zip(files, digests, strict=True):
        row = Attachment.create(message=message_id, filename=file.name[:255],
                                content_type=file.content_type[:255], size=file.size,
                                sha256=digest)
        ids.append(int(row.id))
    return ids


def keep_files(root: Path, message_id: int, files: Sequence[ReplyFile]) -> list[int]:
    """Store each file and link it to the message; the Attachment ids, in order."""
    return link_files(message_id, files, store_blobs(root, files))
