"""The parse pool: a second process filters mail exactly as the intake thread would."""

from __future__ import annotations

import email
from pathlib import Path

import pytest

from appliance.mail.content_filters import CONTENT_FILTERS, run_filter_list
from appliance.mail.filters.parse import message_from_bytes
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
        executor = pool._executor
        assert executor is not None
        for process in executor._processes.values():  # as the kernel's OOM killer would
            process.kill()
            process.join()
        # the batch sent meanwhile is filtered in this thread or by a new process
        mails = pool.results(pool.submit("t", jobs), "t", jobs)
        assert [m.message_id for m in mails] == [in_thread(r, ctx).message_id for r in raws]
        # and the pool goes on working after the death is known
        for _ in range(3):
            mails = pool.results(pool.submit("t", jobs), "t", jobs)
        assert pool._executor is not None and pool._executor is not executor
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
