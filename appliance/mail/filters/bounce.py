"""Recognise bounces (RFC 3464 delivery status notifications) and the recipients that failed."""

from __future__ import annotations

import re
from email.message import Message

from appliance.mail.filters.parse import message_ids
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail

_DAEMON_LOCALPARTS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
_BODY_MESSAGE_ID = re.compile(r"^Message-ID:\s*(<[^<>\s]+>)", re.I | re.M)


def is_daemon_address(address: str) -> bool:
    """Tell whether an address belongs to a mail system rather than a person."""
    return address.partition("@")[0].lower() in _DAEMON_LOCALPARTS


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Mark bounces, collect permanently failed recipients, point threading at the original."""
    msg = mail.message
    if msg is None:
        return
    report_type = msg.get_param("report-type")
    is_report = (msg.get_content_type() == "multipart/report" and isinstance(report_type, str)
                 and report_type.lower() == "delivery-status")
    if not is_report and not is_daemon_address(mail.from_address):
        return
    mail.is_bounce = True
    original_ids: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            mail.failed_recipients.extend(_failed_recipients(part))
        elif ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                original_ids += message_ids([inner[0].get("Message-ID", "")])
        elif ctype == "text/rfc822-headers":
            original_ids += message_ids(_BODY_MESSAGE_ID.findall(_text(part)))
    if not original_ids:
        original_ids = message_ids(_BODY_MESSAGE_ID.findall(mail.text))
    # The original's Message-ID threads the bounce onto the ticket it concerns.
    for mid in original_ids:
        if mid not in mail.in_reply_to:
            mail.in_reply_to.append(mid)
    if mail.failed_recipients:
        mail.notes.append("delivery failed to " + ", ".join(mail.failed_recipients))


def _failed_recipients(part: Message) -> list[str]:
    """Final-Recipient of each block whose Action is failed (RFC 3464 §2.3)."""
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        return []
    failed = []
    for block in blocks:
        if not isinstance(block, Message):
            continue
        action = str(block.get("Action", "")).strip().lower()
        recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
        address = recipient.partition(";")[2].strip().strip("<>").lower()
        if action == "failed" and "@" in address and address not in failed:
            failed.append(address)
    return failed


def _text(part: Message) -> str:
    data = part.get_payload(decode=True)
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(part.get_payload())
