"""attachments: stored once per content hash, atomically, bytes released from memory."""

from __future__ import annotations

import hashlib

from appliance.mail.filters import attachments
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import AttachmentPart, ParsedMail
from appliance.store.attachment_folder import blob_path


def test_same_bytes_are_stored_once(ctx: IntakeContext) -> None:
    data = b"%PDF-1.4 lasku"
    mail = ParsedMail(raw=b"", source="t", attachments=[
        AttachmentPart("a.pdf", "application/pdf", data),
        AttachmentPart("kopio.pdf", "application/pdf", data),
    ])
    attachments.run(mail, ctx)
    digest = hashlib.sha256(data).hexdigest()
    assert [a.sha256 for a in mail.attachments] == [digest, digest]
    assert blob_path(ctx.attachments_dir, digest).read_bytes() == data
    assert len(list(ctx.attachments_dir.rglob("*"))) == 2  # one fan-out folder, one file
    assert all(a.data == b"" and a.size == len(data) for a in mail.attachments)
