"""Store attachment bytes on disk under their SHA-256, once however often they arrive."""

from __future__ import annotations

import hashlib

from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from appliance.store.attachment_folder import store_blob


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Write each attachment (if not there yet), then drop its bytes from memory."""
    for part in mail.attachments:
        part.sha256 = hashlib.sha256(part.data).hexdigest()
        part.size = len(part.data)
        store_blob(ctx.attachments_dir, part.sha256, part.data)
        part.data = b""
