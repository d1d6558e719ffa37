"""The one structure intake filters annotate: a mail as received, and what was learnt about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message

from appliance.mail.decoding import header_index


@dataclass
class AttachmentPart:
    """One attachment: its name and type as sent, its bytes until stored, then its hash."""

    filename: str
    content_type: str
    data: bytes
    sha256: str = ""
    size: int = 0


@dataclass
class ParsedMail:
    """A mail flowing through the intake filters; each filter only adds to it."""

    raw: bytes
    source: str  # "mail:<mailbox>" or "import:<path>"
    size: int = 0  # the server's RFC822.SIZE, or len(raw)
    uidvalidity: int | None = None
    uid: int | None = None
    headers_only: bool = False  # the body was not fetched (oversize)

    # filled by `parse`
    message: Message | None = None
    message_id: str = ""  # without angle brackets
    message_id_synthesised: bool = False
    content_hash: str = ""  # sha256 of the raw mail without transport headers (content_identity)
    earlier_dedupe_key: str = ""  # the stand-in ID schema 6 gave a mail without one
    from_address: str = ""  # lower-case addr-spec
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""
    html: str | None = None
    attachments: list[AttachmentPart] = field(default_factory=list)

    # filled by the detection filters
    oversize: bool = False
    is_auto_reply: bool = False
    # is_auto_reply from a header only a responder sends, not merely from a sender's wish to
    # get no auto-replies (X-Auto-Response-Suppress, X-Loop), which some people's mail carries
    auto_reply_certain: bool = False
    is_bulk: bool = False
    is_bounce: bool = False
    failed_recipients: list[str] = field(default_factory=list)
    is_own_loop: bool = False
    follow_up_ticket_id: int | None = None
    follow_up_reason: str = ""
    customer_id: int | None = None
    notes: list[str] = field(default_factory=list)
    quarantine_reason: str = ""
    # the root's headers by lower-case name, made from `message` by `parse` (see header())
    headers: dict[str, list[str]] | None = field(default=None, repr=False)

    @property
    def dedupe_key(self) -> str:
        """Which mail this claims to be: the Message-ID, given or synthesised.

        Two mails with one key are the same mail only when their content_hash agrees too
        (see ArticleWriter): senders reuse Message-IDs, and a reused one must not hide a mail.
        """
        return self.message_id

    @property
    def is_automatic(self) -> bool:
        """Tell whether a machine sent this: no acknowledgement, no reopening."""
        return self.is_auto_reply or self.is_bulk or self.is_bounce or self.is_own_loop

    def header(self, name: str) -> str:
        """One header as a string, '' when absent."""
        if self.message is None:
            return ""
        if self.headers is None:
            self.headers = header_index(self.message)
        values = self.headers.get(name.lower())
        return values[0] if values else ""
