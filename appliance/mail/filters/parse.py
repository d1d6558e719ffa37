"""Fill a ParsedMail from its raw bytes with the compat32 parser and explicit decoding."""

from __future__ import annotations

import email
import hashlib
import itertools
import mimetypes
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime

from appliance.mail import mime_params
from appliance.mail.decoding import (
    decode_bytes,
    decode_header_text,
    header_index,
    raw_header_values,
    undo_surrogates,
)
from appliance.mail.html_text import html_to_text
from appliance.mail.indexed_message import IndexedMessage
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import AttachmentPart, ParsedMail

# Past this depth a MIME tree is an attack or a mail loop, not a letter.
MAX_MIME_DEPTH = 30
MAX_PARTS = 500
SUBJECT_MAX_CHARS = 500
MESSAGE_ID_MAX_CHARS = 490
ADDRESS_MAX_CHARS = 320
_ANGLE_ID = re.compile(r"<([^<>\s]+)>")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
# One mailbox of plain atoms (RFC 5322 §3.4): what most mail carries; the rest goes to getaddresses.
_ADDR_SPEC = r"[A-Za-z0-9._%+\-=]+@[A-Za-z0-9.\-]+"
_SIMPLE_MAILBOX = re.compile(
    rf'[ \t]*(?:(?:"([^"\\\r\n]*)"|([A-Za-z0-9=?_.\-+ \t]*?))[ \t]*<({_ADDR_SPEC})>'
    rf'|({_ADDR_SPEC}))[ \t]*')
# A header field's name: printable ASCII but the colon (RFC 5322 §2.2; the stdlib's own test).
_FIELD_NAME = re.compile(r"[\041-\071\073-\176]+")
SYNTHETIC_DOMAIN = "synthesised.aspa.invalid"
_NESTED_TYPES = ("multipart", "message")  # these bodies hold parts the full parser must find
# Transfer encodings get_payload(decode=True) undoes; under any other the body's bytes are it.
_DECODED_CTES = frozenset({"quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue"})
# A leaf part's body bytes as they came, by id() of its Message, while its tree is read.
Bodies = dict[int, bytes]


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Parse headers always, and the body unless only the headers were kept."""
    bodies: Bodies = {}
    if mail.headers_only or mail.oversize:
        msg = BytesHeaderParser().parsebytes(mail.raw)
    else:
        msg = message_from_bytes(mail.raw, bodies)
    mail.message = msg
    headers = mail.headers = header_index(msg)
    mail.subject = _no_nul(decode_header_text(mail.header("Subject")))[:SUBJECT_MAX_CHARS]
    senders = (address_list(headers.get("from", []))
               or address_list(headers.get("sender", []))
               or address_list(headers.get("return-path", [])))
    if senders:
        mail.from_name, mail.from_address = senders[0]
    mail.to = [a for _, a in address_list(headers.get("to", []))]
    mail.cc = [a for _, a in address_list(headers.get("cc", []))]
    mail.date = parse_date(mail.header("Date") or None)
    mail.in_reply_to = message_ids(headers.get("in-reply-to", []))
    mail.references = message_ids(headers.get("references", []))
    if not (mail.headers_only or mail.oversize):
        _read_body(mail, msg, bodies)
    bodies.clear()
    ids = message_ids(headers.get("message-id", []))
    if ids and len(ids[0]) <= MESSAGE_ID_MAX_CHARS:
        mail.message_id = ids[0]
    elif ids:
        mail.message_id = _hashed_id(ids[0])
    else:
        mail.message_id = synthesise_message_id(mail)
        mail.message_id_synthesised = True


def message_from_bytes(raw: bytes, bodies: Bodies | None = None) -> Message:
    """email.message_from_bytes (compat32), without walking bodies line by line.

    A part that is not multipart or message/* has one opaque body: the header block is
    parsed alone and the body set as the payload, as the full parser would have set it
    (ASCII with surrogateescape). A multipart body is split at its delimiter lines here
    (the stdlib compiles a new regular expression for every boundary, which cost more than
    the rest of the parse). Anything unusual goes through the full parser whole.
    With `bodies`, each leaf part's body bytes are kept there by id() of its Message, so
    they need not be turned back from its str payload (empty when the full parser ran).
    """
    found: Bodies = {} if bodies is None else bodies
    msg = _quick_parse(raw, 0, found)
    if msg is not None:
        return msg
    found.clear()  # the discarded parts' ids may come back for the full parser's parts
    return email.message_from_bytes(raw)


def _quick_parse(raw: bytes, depth: int, bodies: Bodies) -> Message | None:
    """The message tree as the full parser builds it, or None where only it can say."""
    split = _header_end(raw)
    if split is None or depth > MAX_MIME_DEPTH:
        return None
    head_end, body_start = split
    msg = header_block(raw[:head_end])
    if msg is None:
        return None
    maintype = msg.get_content_maintype()
    if maintype not in _NESTED_TYPES:
        body = raw[body_start:]
        msg.set_body(body)  # the str payload is made only if something reads it
        bodies[id(msg)] = body
        return msg
    if maintype != "multipart":
        return None
    boundary = mime_params.boundary(msg)
    if not boundary:
        return None
    pieces = split_multipart(raw[body_start:], boundary.encode("ascii", "surrogateescape"))
    if pieces is None:
        return None
    preamble, part_bodies = pieces
    children: list[Message | str] = []
    for body in part_bodies:
        child = _quick_parse(body, depth + 1, bodies)
        if child is None:
            return None
        children.append(child)
    msg.preamble = preamble
    msg.epilogue = ""
    msg.set_payload(children)
    return msg


def header_block(block: bytes) -> IndexedMessage | None:
    """The Message compat32's header parser makes of a plain header block, or None when the
    block holds anything it would treat specially (a bare CR, a line that is no header
    field, a leading continuation line, a Unix From line): those go to it instead.

    Each field is its name and its value as sent: the text after the colon without the
    leading blanks, continuation lines kept with their line breaks, the last break cut
    (email.policy.compat32.header_source_parse).
    """
    text = block.decode("ascii", "surrogateescape")
    if not text.endswith("\n") or text.count("\r") != text.count("\r\n"):
        return None
    msg = IndexedMessage()
    fields: list[list[str]] = []
    for line in text[:-1].split("\n"):
        if line[:1] in (" ", "\t"):
            if not fields:
                return None
            fields[-1].append(line + "\n")
            continue
        name, colon, _ = line.partition(":")
        if not colon or _FIELD_NAME.fullmatch(name) is None:
            return None
        fields.append([line + "\n"])
    for lines in fields:
        name, value = lines[0].split(":", 1)
        value = value.lstrip(" \t") + "".join(lines[1:])
        msg.set_raw(name, value.rstrip("\r\n"))
    return msg


def split_multipart(body: bytes, boundary: bytes) -> tuple[str | None, list[bytes]] | None:
    """(preamble, part bodies) of a well-formed multipart body (RFC 2046 §5.1.1), or None.

    The line break before a delimiter belongs to the delimiter. None when a bare CR could
    end a line, a part has no header block, the close delimiter is missing, or anything
    but line breaks follows it: the full parser's handling of those is kept.
    """
    if body.count(b"\r") != body.count(b"\r\n"):
        return None
    dash = b"--" + boundary
    lines = body.split(b"\n")
    bounds: list[int] = []  # line indexes of delimiters
    closed = -1
    for index, line in enumerate(lines):
        if not line.startswith(dash):
            continue
        rest = line[len(dash):].rstrip(b"\r")
        if rest.startswith(b"--"):
            if rest[2:].strip(b" \t"):
                continue
            closed = index
            break
        if rest.strip(b" \t"):
            continue
        bounds.append(index)
    if closed < 0 or not bounds or any(line.strip() for line in lines[closed + 1:]):
        return None
    bounds.append(closed)
    bodies = []
    for start, end in itertools.pairwise(bounds):
        part = b"\n".join(lines[start + 1:end])
        part = part[:-1] if part.endswith(b"\r") else part
        if not part or part.startswith((b"\n", b"\r\n")):
            return None
        bodies.append(part)
    preamble = None
    if bounds[0] > 0:
        text = b"\n".join(lines[:bounds[0]])
        preamble = (text[:-1] if text.endswith(b"\r") else text).decode("ascii",
                                                                         "surrogateescape")
    return preamble, bodies


def _header_end(raw: bytes) -> tuple[int, int] | None:
    """(end of the header block with its last line break, start of the body) at the first
    empty line (RFC 5322 §2.1), or None when there is none."""
    crlf = raw.find(b"\r\n\r\n")
    lf = raw.find(b"\n\n")
    if lf >= 0 and (crlf < 0 or lf < crlf + 1):
        return lf + 1, lf + 2
    if crlf >= 0:
        return crlf + 2, crlf + 4
    return None


def addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs of an address header; junk entries dropped."""
    return address_list(raw_header_values(msg, name))


def address_list(values: list[str]) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs of an address header's values as sent."""
    out = []
    for display, addr in _simple_addresses(values) or getaddresses(values):
        addr = addr.strip().strip("<>").lower()
        if "@" not in addr or len(addr) > ADDRESS_MAX_CHARS or " " in addr:
            continue
        out.append((decode_header_text(display)[:200], addr))
    return out


def _simple_addresses(values: list[str]) -> list[tuple[str, str]] | None:
    """getaddresses' answer for the common single-mailbox header (`Name <a@b>`, `"Name" <a@b>`,
    `a@b`) without its character-by-character scan; None for anything else."""
    if len(values) != 1:
        return None
    found = _SIMPLE_MAILBOX.fullmatch(values[0])
    if found is None:
        return None
    quoted, phrase, angle, bare = found.groups()
    if bare is not None:
        return [("", bare)]
    return [(quoted if quoted is not None else " ".join((phrase or "").split()), angle)]


def message_ids(values: Sequence[object]) -> list[str]:
    """Message-IDs in angle brackets from In-Reply-To/References/Message-ID (RFC 5322 §3.6.4)."""
    found: list[str] = []
    for value in values:
        for mid in _ANGLE_ID.findall(undo_surrogates(str(value))):
            if mid not in found:
                found.append(mid)
    return found


def parse_date(value: object) -> datetime | None:
    """The Date header as aware UTC, None when absent or unreadable."""
    if value is None:
        return None
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 5322 §3.3: -0000 means the zone is unknown; take UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def synthesise_message_id(mail: ParsedMail) -> str:
    """A stable stand-in Message-ID from date, sender, subject and body.

    The body's bytes as they came count too, not only the text read from them: broken
    bodies (bad base64, a multipart without its boundary) of different mails can read as
    the same text, and two mails with one ID would keep only the first (the ledger takes
    the second for a copy). 36 of 50,000 bench mails with such bodies were lost that way.
    """
    digest = hashlib.sha256()
    for piece in (mail.header("Date"), mail.from_address, mail.subject, mail.text):
        digest.update(piece.encode("utf-8", "replace"))
        digest.update(b"\x00")
    digest.update(_body_bytes(mail.raw))
    return f"{digest.hexdigest()[:40]}@{SYNTHETIC_DOMAIN}"


def _body_bytes(raw: bytes) -> bytes:
    """What follows the header block (RFC 5322 §2.1), the same for every copy of a mail."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(separator)
        if end >= 0:
            return raw[end + len(separator):]
    return b""


def _no_nul(text: str) -> str:
    """NUL is no character of a mail (RFC 5322 §2.1) and PostgreSQL text refuses it."""
    return text.replace("\x00", "")


def _hashed_id(long_id: str) -> str:
    return f"{hashlib.sha256(long_id.encode()).hexdigest()[:40]}@long.{SYNTHETIC_DOMAIN}"


def _read_body(mail: ParsedMail, root: Message, bodies: Bodies) -> None:
    """Walk the MIME tree without recursion: first text and HTML parts, the rest attachments."""
    texts: list[str] = []
    htmls: list[str] = []
    stack: list[tuple[Message, int]] = [(root, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            mail.notes.append(f"more than {MAX_PARTS} MIME parts; the rest was not read")
            break
        ctype = part.get_content_type()
        if part.is_multipart() and ctype.startswith("multipart/"):
            if depth >= MAX_MIME_DEPTH:
                mail.notes.append(f"MIME nested deeper than {MAX_MIME_DEPTH}; inner parts not read")
                continue
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((c, depth + 1) for c in reversed(children) if isinstance(c, Message))
            continue
        _read_leaf(mail, part, ctype, texts, htmls, bodies)
    if texts:
        mail.text = _no_nul("\n\n".join(texts))
    if htmls:
        mail.html = _no_nul("\n<hr>\n".join(htmls))
        if not texts:
            mail.text = html_to_text(mail.html)


def _read_leaf(mail: ParsedMail, part: Message, ctype: str,
               texts: list[str], htmls: list[str], bodies: Bodies) -> None:
    """One non-multipart part: body text, body HTML or an attachment."""
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    filename = _filename(part)
    inline_text = disposition != "attachment" and not filename
    # A multipart without a usable boundary (RFC 2046 §5.1.1) is one unsplit blob of text.
    broken_multipart = ctype.startswith("multipart/") and not part.is_multipart()
    if (ctype == "text/plain" and inline_text) or broken_multipart:
        texts.append(_decoded_text(part, bodies))
        return
    if ctype == "text/html" and inline_text:
        htmls.append(_decoded_text(part, bodies))
        return
    data = _payload_bytes(part, ctype)
    if ctype == "application/ms-tnef":
        mail.notes.append("Outlook TNEF attachment kept as it came (winmail.dat)")
    name = filename or _default_name(ctype, len(mail.attachments) + 1)
    mail.attachments.append(AttachmentPart(filename=name, content_type=ctype, data=data,
                                           size=len(data)))


def _decoded_text(part: Message, bodies: Bodies) -> str:
    # For a quick-parsed part without a transfer encoding to undo, get_payload(decode=True)
    # would turn its str payload back into the body's bytes: take those bytes as they came.
    data: object = bodies.get(id(part))
    if data is None or str(part.get("content-transfer-encoding", "")).lower() in _DECODED_CTES:
        data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = str(part.get_payload()).encode("utf-8", "surrogateescape")
    return decode_bytes(data, mime_params.content_charset(part)).replace("\r\n", "\n")


def _payload_bytes(part: Message, ctype: str) -> bytes:
    """An attachment's bytes: transfer-decoded, or the whole inner message for message/*."""
    if ctype.startswith("message/") or part.is_multipart():
        inner = part.get_payload()
        pieces = inner if isinstance(inner, list) else [inner]
        out = []
        for piece in pieces:
            if isinstance(piece, Message):
                out.append(piece.as_bytes())
            else:
                out.append(str(piece).encode("utf-8", "surrogateescape"))
        return b"\n".join(out)
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    return str(part.get_payload()).encode("utf-8", "surrogateescape")


def _filename(part: Message) -> str:
    """The attachment's file name, decoded (RFC 2231 and, as Outlook sends, RFC 2047), made safe."""
    try:
        raw = mime_params.filename(part)
    except (ValueError, LookupError):
        raw = None
    if not raw:
        return ""
    name = decode_header_text(raw)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    return name[:200]


def _default_name(ctype: str, n: int) -> str:
    special = {"text/calendar": "invite.ics", "message/rfc822": "message.eml",
               "message/delivery-status": "delivery-status.txt"}
    if ctype in special:
        return f"{n}-{special[ctype]}" if n > 1 else special[ctype]
    extension = mimetypes.guess_extension(ctype) or ".bin"
    return f"part-{n}{extension}"
