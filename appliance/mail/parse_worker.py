"""The parsing process of the parse pool: batches of raw mail in on stdin, filtered mail out on
stdout, until stdin ends (the intake closed it, or the intake died).

Started by parse_pool as a fresh interpreter that calls `main()`. It imports only the
content filters, so its memory stays near a bare interpreter's: no store, no IMAP,
no copy of the intake's process. Frames are a length and a pickle, between two
processes of the same program.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from appliance.mail.content_filters import CONTENT_FILTERS, Filter, run_filter_list
from appliance.mail.filters import attachments
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail

FRAME_LENGTH = struct.Struct("!Q")
BLOB_FILTERS: list[tuple[str, Filter]] = [("attachments", attachments.run)]


@dataclass(frozen=True, slots=True)
class ParseJob:
    """One fetched mail to filter: its bytes and where it came from."""

    raw: bytes
    size: int
    headers_only: bool
    uidvalidity: int | None
    uid: int | None


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """What the filters in the parsing process need to know of the intake's context."""

    attachments_dir: Path
    own_domains: frozenset[str]
    size_cap_bytes: int


@dataclass(frozen=True, slots=True)
class ParseRequest:
    """Filter these jobs of one mailbox; the reply is a list of ParsedMail in the same order."""

    source: str
    jobs: list[ParseJob]


@dataclass(frozen=True, slots=True)
class PeakRssRequest:
    """The reply is this process's peak resident memory in KB."""


def filter_jobs(source: str, jobs: list[ParseJob], settings: PoolSettings) -> list[ParsedMail]:
    """Run the content filters over each job (in the parsing process, or as a fallback)."""
    # The content filters read only these settings; the store and the clock stay behind.
    ctx = IntakeContext(attachments_dir=settings.attachments_dir,
                        own_domains=settings.own_domains, size_cap_bytes=settings.size_cap_bytes)
    out = []
    for job in jobs:
        mail = ParsedMail(raw=job.raw, source=source, size=job.size or len(job.raw),
                          uidvalidity=job.uidvalidity, uid=job.uid, headers_only=job.headers_only)
        run_filter_list(mail, ctx, CONTENT_FILTERS)
        if mail.from_address:
            # Attachments are written here too, so their bytes never travel back. The only
            # store filter that refuses a mail (customer) refuses it for lacking a sender,
            # so a mail that will be quarantined still leaves no files behind.
            run_filter_list(mail, ctx, BLOB_FILTERS)
        mail.message = None  # a whole MIME tree is not worth pickling; nothing later reads it
        mail.headers = None
        if mail.raw is job.raw:
            mail.raw = b""  # the caller still holds the bytes; only a cut-down copy travels
        out.append(mail)
    return out


def peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM), for the benchmark's memory figure."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def write_frame(out: IO[bytes], message: object) -> None:
    """One message: its pickle's length, then the pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(FRAME_LENGTH.pack(len(data)))
    out.write(data)
    out.flush()


def read_frame(source: IO[bytes]) -> object | None:
    """The next message, or None when the stream ended (a cut-off frame counts as the end)."""
    head = source.read(FRAME_LENGTH.size)
    if len(head) < FRAME_LENGTH.size:
        return None
    (length,) = FRAME_LENGTH.unpack(head)
    data = source.read(length)
    if len(data) < length:
        return None
    message: object = pickle.loads(data)
    return message


def serve(requests: IO[bytes], replies: IO[bytes]) -> int:
    """Answer requests in order until the intake closes the stream; the first frame is the
    PoolSettings."""
    settings = read_frame(requests)
    if not isinstance(settings, PoolSettings):
        return 2
    while (request := read_frame(requests)) is not None:
        reply: object
        if isinstance(request, ParseRequest):
            reply = filter_jobs(request.source, request.jobs, settings)
        elif isinstance(request, PeakRssRequest):
            reply = peak_rss_kb()
        else:
            return 2
        write_frame(replies, reply)
    return 0


def main() -> int:
    """Serve on the pipes the intake gave; stray output goes to stderr, not into the frames."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        return serve(sys.stdin.buffer, replies)
    except BrokenPipeError:
        return 0  # the intake is gone: nobody waits for the answer
    finally:
        with contextlib.suppress(OSError):
            replies.close()
