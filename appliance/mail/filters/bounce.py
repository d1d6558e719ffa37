"""Recognise bounces (RFC 3464 delivery status notifications) and the recipients that failed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser

from appliance.mail.decoding import decode_header_text
from appliance.mail.filters.parse import message_ids
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail

_DAEMON_LOCALPARTS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
_BODY_MESSAGE_ID = re.compile(r"^Message-ID:\s*(<[^<>\s]+>)", re.I | re.M)
MAX_DIAGNOSTIC_CHARS = 300


@dataclass
class _Report:
    """What one report says: who failed and why, and which of our mails it concerns."""

    failures: dict[str, str] = field(default_factory=dict)  # recipient -> diagnostic
    original_ids: list[str] = field(default_factory=list)
    original_to: str = ""
    original_subject: str = ""


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
    report = _read(msg)
    if not report.original_ids:
        report.original_ids = message_ids(_BODY_MESSAGE_ID.findall(mail.text))
    # The original's Message-ID threads the bounce onto the ticket it concerns.
    for mid in report.original_ids:
        if mid not in mail.in_reply_to:
            mail.in_reply_to.append(mid)
    mail.failed_recipients.extend(report.failures)
    mail.notes.append(bounce_note(report))


def bounce_note(report: _Report) -> str:
    """The line the agent reads on the ticket: whose reply bounced, and the server's reason."""
    about = f' ("{report.original_subject}")' if report.original_subject else ""
    if report.failures:
        return "; ".join(
            f"the reply to {recipient}{about} bounced: {diagnostic or 'no reason given'}"
            for recipient, diagnostic in report.failures.items())
    if report.original_to:
        return (f"a delivery report about the reply to {report.original_to}{about}: "
                "not (yet) a permanent failure")
    return "a mail system sent a delivery report; it names no failed recipient"


def _read(msg: Message) -> _Report:
    report = _Report()
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            report.failures.update(_failures(part))
        elif ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                _original(report, inner[0])
        elif ctype == "text/rfc822-headers":
            _original(report, HeaderParser().parsestr(_text(part)))
    return report


def _original(report: _Report, headers: Message) -> None:
    """Remember the returned mail's Message-ID, recipient and subject."""
    report.original_ids += message_ids([headers.get("Message-ID", "")])
    report.original_to = report.original_to or _one_line(headers.get("To", ""))
    report.original_subject = report.original_subject or _one_line(headers.get("Subject", ""))


def _failures(part: Message) -> dict[str, str]:
    """Final-Recipient and Diagnostic-Code (or Status) of each failed block (RFC 3464 §2.3)."""
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        return {}
    failed: dict[str, str] = {}
    for block in blocks:
        if not isinstance(block, Message):
            continue
        action = str(block.get("Action", "")).strip().lower()
        recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
        address = recipient.partition(";")[2].strip().strip("<>").lower()
        if action == "failed" and "@" in address and address not in failed:
            diagnostic = _one_line(block.get("Diagnostic-Code", ""))
            # "smtp; 550 5.1.1 User unknown": the type before ';' says nothing to an agent.
            diagnostic = diagnostic.partition(";")[2].strip() or diagnostic
            status = _one_line(block.get("Status", ""))
            failed[address] = (diagnostic or (f"status {status}" if status else ""))[
                :MAX_DIAGNOSTIC_CHARS]
    return failed


def _one_line(value: object) -> str:
    return " ".join(decode_header_text(value or "").split())


def _text(part: Message) -> str:
    data = part.get_payload(decode=True)
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(part.get_payload())
