"""Compose the mails Aspa sends: our Message-ID, threading headers, `[#n]`, loop markers."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from appliance.mail.filters.own_loop import LOOP_HEADER
from appliance.tickets.reply_files import ReplyFile

_TAG = re.compile(r"\[#\d+\]")
_REPLY_PREFIX = re.compile(r"^\s*((re|vs|sv|aw|fw|fwd)\s*:\s*)+", re.I)
MAX_REFERENCES = 20  # RFC 5322 §3.6.4 lets References grow; keep the thread's start and end


@dataclass(frozen=True)
class Composed:
    """A mail ready for the outbox."""

    message_id: str  # without angle brackets
    subject: str
    raw: bytes


def new_message_id(ticket_number: int, domain: str) -> str:
    """A Message-ID in our domain naming the ticket (RFC 5322 §3.6.4: globally unique)."""
    return f"aspa.{ticket_number}.{secrets.token_hex(8)}@{domain}"


def tagged_subject(subject: str, ticket_number: int, reply: bool = True) -> str:
    """`Re: [#1001] subject`: one tag, one reply prefix, whatever the thread did before."""
    bare = _TAG.sub("", _REPLY_PREFIX.sub("", subject)).strip() or "(no subject)"
    bare = _REPLY_PREFIX.sub("", bare).strip()
    prefix = "Re: " if reply else ""
    return f"{prefix}[#{ticket_number}] {bare}"


def compose(*, ticket_number: int, from_address: str, from_name: str, to: list[str],
            subject: str, body_text: str, domain: str, now: datetime,
            in_reply_to: str | None = None, references: list[str] | None = None,
            automatic: bool = False, cc: Sequence[str] = (), html: str | None = None,
            files: Sequence[ReplyFile] = ()) -> Composed:
    """Build one outgoing mail as bytes: the text, its HTML alternative when given
    (multipart/alternative, RFC 2046 §5.1.4), and the files after them (multipart/mixed)."""
    message_id = new_message_id(ticket_number, domain)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr((from_name, from_address)) if from_name else from_address
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = tagged_subject(subject, ticket_number, reply=in_reply_to is not None)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        chain = [*(references or []), in_reply_to]
        if len(chain) > MAX_REFERENCES:
            chain = [chain[0], *chain[-(MAX_REFERENCES - 1):]]
        msg["References"] = " ".join(f"<{m}>" for m in dict.fromkeys(chain))
    msg[LOOP_HEADER] = str(ticket_number)
    if automatic:
        # RFC 3834 §5: mark automatic replies so other responders stay quiet;
        # Exchange honours X-Auto-Response-Suppress instead.
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(body_text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for file in files:
        maintype, _, subtype = file.content_type.partition("/")
        # the name goes in RFC 2231 form when it is not ASCII (email.policy does it)
        msg.add_attachment(file.data, maintype=maintype or "application",
                           subtype=subtype or "octet-stream", filename=file.name)
    return Composed(message_id, str(msg["Subject"]), msg.as_bytes())
