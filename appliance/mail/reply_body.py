"""A reply's text as sent: the agent's words, their signature (or the box's closing), and
the customer's last mail quoted under a header in the customer's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from appliance.mail.reply_phrases import closing, quote_header

SIGNATURE_DELIMITER = "-- "  # RFC 3676 §4.3: mail programs recognise and fold what follows
QUOTE_MAX_CHARS = 10_000  # the customer still has their whole mail; the quote is a reminder


@dataclass(frozen=True, slots=True)
class Quoted:
    """The mail being answered: who wrote it, when, and its text."""

    name: str
    at: datetime  # on the office's wall clock
    text: str


def signed(body: str, *, signature: str, sender_name: str, language: str) -> str:
    """The agent's words and their signature; without one, the box's closing and their name."""
    words = body.strip("\n").rstrip()
    if signature.strip():
        return f"{words}\n\n{SIGNATURE_DELIMITER}\n{signature.strip(chr(10)).rstrip()}"
    if not sender_name:
        return words
    return f"{words}\n\n{closing(language)}\n{sender_name}"


def quoted(quote: Quoted, language: str) -> str:
    """The header and the quoted lines ("> "), the text cut at QUOTE_MAX_CHARS."""
    text = quote.text.replace("\r\n", "\n").strip("\n")
    if len(text) > QUOTE_MAX_CHARS:
        text = text[:QUOTE_MAX_CHARS].rstrip() + " […]"
    lines = [(">" if not line or line.startswith(">") else "> ") + line
             for line in text.split("\n")]
    return quote_header(language, quote.name, quote.at) + "\n" + "\n".join(lines)


def reply_text(signed_text: str, quote: Quoted | None, language: str) -> str:
    """The whole plain text of the mail: the signed reply, then the quote if there is one."""
    if quote is None or not quote.text.strip():
        return signed_text + "\n"
    return f"{signed_text}\n\n{quoted(quote, language)}\n"
