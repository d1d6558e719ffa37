"""The parse pool: a second process filters mail exactly as the intake thread would."""

from __future__ import annotations

import email
import signal
import subprocess
import sys
import time
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest

from appliance.mail.content_filters import CONTENT_FILTERS, run_filter_list
from appliance.mail.filters.parse import header_block, message_from_bytes
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parse_pool import ParseJob, ParsePool
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import MailProcessor
from appliance.store.models import Attachment, Message, Quarantine, Ticket

CORPUS = Path(__file__).parent / "corpus"
FIELDS = ("message_id", "from_address", "from_name", "to", "cc", "subject", "date",
          "in_reply_to", "references", "text", "html", "is_auto_reply", "is_bulk", "is_bounce",
          "failed_recipients", "is_own_loop", "notes", "quarantine_reason")


def corpus() -> list[bytes]:
    return [p.read_bytes() for p in sorted(CORPUS.iterdir()) if p.is_file()]


def in_thread(raw: bytes, ctx: IntakeContext) -> ParsedMail:
    return run_filter_list(ParsedMail(raw=raw, source="t"), ctx, CONTENT_FILTERS)


@pytest.mark.parametrize("raw", corpus(), ids=[p.name for p in sorted(CORPUS.iterdir())
                                               if p.is_file()])
def test_single_part_fast_path_parses_as_the_stdlib_does(raw: bytes) -> None:
    ours, stdlib = message_from_bytes(raw), email.message_from_bytes(raw)
    assert ours.items() == stdlib.items()
    assert ours.is_multipart() == stdlib.is_multipart()
    if not stdlib.is_multipart():
        assert ours.get_payload(decode=True) == stdlib.get_payload(decode=True)


def test_the_second_process_filters_every_corpus_mail_as_the_thread_does(
    ctx: IntakeContext,
) -> None:
    raws = corpus()
    pool = ParsePool(ctx)
    try:
        jobs = [ParseJob(raw, len(raw), False, 7, uid) for uid, raw in enumerate(raws, 1)]
        pooled = pool.results(pool.submit("t", jobs), "t", jobs)
        # the second process did the work: it is still up, no fallback was needed
        assert pool._process is not None and pool._process.alive
        assert pool.peak_rss_kb() > 0
    finally:
        pool.close()
    for raw, mail in zip(raws, pooled, strict=True):
        expected = in_thread(raw, ctx)
        assert mail.raw == raw and mail.uid is not None
        for name in FIELDS:
            assert getattr(mail, name) == getattr(expected, name), name
        if expected.attachments and mail.from_address:
            # stored by the parsing process already: names and hashes, no bytes carried back
            assert [a.filename for a in mail.attachments] == [
                a.filename for a in expected.attachments]
            assert all(a.sha256 and not a.data for a in mail.attachments)


def test_a_dead_parsing_process_costs_time_not_mail(
    processor: MailProcessor, ctx: IntakeContext
) -> None:
    raws = corpus()[:4]
    pool = ParsePool(ctx)
    jobs = [ParseJob(raw, len(raw), False, 7, uid) for uid, raw in enumerate(raws, 1)]
    try:
        pool.submit("t", jobs).result()  # the process is up
        first = pool._process
        assert first is not None
        first.process.kill()  # as the kernel's OOM killer would
        first.process.wait()
        # the batch sent meanwhile is filtered in this thread or by a new process
        mails = pool.results(pool.submit("t", jobs), "t", jobs)
        assert [m.message_id for m in mails] == [in_thread(r, ctx).message_id for r in raws]
        # and the pool goes on working after the death is known
        for _ in range(3):
            mails = pool.results(pool.submit("t", jobs), "t", jobs)
        assert pool._process is not None and pool._process is not first
        assert pool._process.alive
    finally:
        pool.close()
    assert [m.message_id for m in mails] == [in_thread(r, ctx).message_id for r in raws]


def test_pooled_mail_is_stored_like_any_other(
    processor: MailProcessor, ctx: IntakeContext
) -> None:
    raws = corpus()
    pool = ParsePool(ctx)
    try:
        jobs = [ParseJob(raw, len(raw), False, 7, uid) for uid, raw in enumerate(raws, 1)]
        mails = pool.results(pool.submit("t", jobs), "t", jobs)
    finally:
        pool.close()
    kinds = [processor.process_filtered(mail, raw).kind
             for mail, raw in zip(mails, raws, strict=True)]
    # every mail is accounted for: stored, quarantined, or a copy of one already taken in
    stored = Message.select().count() + Quarantine.select().count()
    assert stored + kinds.count("duplicate") == len(raws)
    assert Ticket.select().count() >= 1 and Attachment.select().count() >= 1
    again = [processor.process_filtered(mail, raw).kind
             for mail, raw in zip(mails, raws, strict=True)]
    assert set(again) == {"duplicate"}


@pytest.mark.parametrize("block", [
    b"A: b\r\nC:  d\r\n e\r\n", b"A:b\n\tc\n", b"A: \n", b"A:\n", b"X-Y: \xe4\xf6\n",
    b"A: b\x0cc\n", b"A: b   \n", b"A: b\n \n", b"Subject: =?utf-8?q?p=C3=A4iv=C3=A4?=\n",
])
def test_a_plain_header_block_is_read_as_the_stdlib_reads_it(block: bytes) -> None:
    ours = header_block(block)
    stdlib = BytesHeaderParser().parsebytes(block)
    assert ours is not None and not stdlib.defects
    assert list(ours.raw_items()) == list(stdlib.raw_items())


@pytest.mark.parametrize("block", [
    b"From x@y Mon Jan  5 08:00:00 2026\nA: b\n",  # a Unix From line
    b" A: b\n",  # starts with a continuation
    b"A b: c\n", b":x\n", b"A\n",  # no header field
    b"A: b\rc\n",  # a bare CR ends a line for the stdlib
    b"\xe4: b\n",  # 8-bit field name
])
def test_an_unusual_header_block_is_left_to_the_stdlib(block: bytes) -> None:
    assert header_block(block) is None


def test_the_parsing_process_ends_when_the_intake_is_killed(tmp_path: Path) -> None:
    # The intake process starts its parsing process, then dies without closing anything.
    program = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from appliance.mail.intake_context import IntakeContext\n"
        "from appliance.mail.parse_pool import ParsePool\n"
        f"pool = ParsePool(IntakeContext(Path({str(tmp_path)!r})))\n"
        "pool.start()\n"
        "assert pool.peak_rss_kb() > 0\n"
        "assert pool._process is not None\n"
        "print(pool._process.process.pid, flush=True)\n"
        "os.kill(os.getpid(), 9)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == -signal.SIGKILL
    child = int(done.stdout.split()[0])
    # Its input ended with the intake: it exits (reaped by init, so look at its state).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(child):
        time.sleep(0.05)
    assert not _running(child)


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has ended; only its parent's wait is missing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
