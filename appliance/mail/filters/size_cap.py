"""Mail over the size cap still makes a ticket, from its headers, with a note saying why."""

from __future__ import annotations

from email.parser import BytesHeaderParser

from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Mark mail larger than the cap; keep only its header block."""
    size = mail.size or len(mail.raw)
    if size <= ctx.size_cap_bytes and not mail.headers_only:
        return
    mail.oversize = size > ctx.size_cap_bytes
    mail.raw = header_block(mail.raw)
    mail.headers_only = True
    mail.notes.append(
        f"mail of {size / 1048576:.1f} MB is over the {ctx.size_cap_bytes / 1048576:.0f} MB cap:"
        " only its headers were taken in; the full mail is still on the mail server"
    )


def header_block(raw: bytes) -> bytes:
    """The header section of a raw mail (RFC 5322 §2.1: up to the first empty line)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(separator)
        if end >= 0:
            return raw[: end + len(separator)]
    # no body separator: the whole mail is headers, or broken; keep what a parser can read
    return bytes(BytesHeaderParser().parsebytes(raw[:1048576]).as_bytes())
