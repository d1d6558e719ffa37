"""What a mail says, as one hash: the raw message without the headers servers add in transit.

Two copies of one mail (delivered twice, fetched from two folders, imported from a
backup) differ only in the trace and delivery headers each server prepends
(RFC 5321 §4.4: Received, Return-Path; Delivered-To and the like from the
delivery agent) and in line endings. Everything else, every MIME part included,
is the sender's and goes into the hash: two mails that differ anywhere else are
two mails. The header block is split by hand because the bytes themselves are
hashed; a parsed and re-serialised message would not be the bytes that came.
"""

from __future__ import annotations

import hashlib
import re

# Added or rewritten on the way, so two copies of one mail may differ in them.
TRANSPORT_HEADERS = frozenset({
    "received", "return-path", "delivered-to", "x-original-to", "envelope-to",
    "x-envelope-to", "x-envelope-from", "x-received", "received-spf",
    "authentication-results", "arc-seal", "arc-message-signature",
    "arc-authentication-results", "x-delivered-to", "x-uid", "status", "x-status",
    "x-keywords", "x-mozilla-status", "x-mozilla-status2", "content-length", "lines",
})
# Stamped by filters and gateways on the receiving side (spam and virus scanners, Exchange
# Online, Mimecast, Proofpoint, Barracuda): a copy by another route carries other values.
TRANSPORT_HEADER_PREFIXES = ("x-spam-", "x-virus-", "x-ms-exchange-", "x-forefront-",
                             "x-microsoft-antispam", "x-mimecast-", "x-proofpoint-",
                             "x-barracuda-")
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def content_hash(raw: bytes) -> str:
    """The sha256 (hex) of the mail without transport headers, line endings made alike."""
    digest = hashlib.sha256()
    found = _HEADER_END.search(raw)
    head, body = (raw[:found.start()], raw[found.end():]) if found else (raw, b"")
    digest.update(b"\n".join(_header_fields(head)))
    digest.update(b"\n\n")
    digest.update(_crlf_lines(body).rstrip(b"\r\n"))
    return digest.hexdigest()


def _crlf_lines(data: bytes) -> bytes:
    """Every line break as CRLF; mail over IMAP has nothing else, so it is only counted."""
    crlf = data.count(b"\r\n")
    if data.count(b"\n") == crlf and data.count(b"\r") == crlf:
        return data
    return _lf_lines(data).replace(b"\n", b"\r\n")


def _lf_lines(data: bytes) -> bytes:
    """CRLF and bare CR as LF."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def is_transport_header(name: bytes) -> bool:
    """Tell whether a header (by its raw name) is one servers add or rewrite in transit."""
    lowered = name.strip().decode("ascii", "replace").lower()
    return lowered in TRANSPORT_HEADERS or lowered.startswith(TRANSPORT_HEADER_PREFIXES)


def _header_fields(head: bytes) -> list[bytes]:
    """The sender's header fields, each unfolded onto one line (RFC 5322 §2.2.3)."""
    fields: list[bytes] = []
    for line in _lf_lines(head).split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b" " + line.strip()
        else:
            fields.append(line.rstrip())
    return [f for f in fields if f and not is_transport_header(f.partition(b":")[0])]
