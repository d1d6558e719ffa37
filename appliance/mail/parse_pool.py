"""The content filters (MIME parsing, HTML cleaning, detection) in a second process.

Parsing is most of an incoming mail's cost, and it needs no database: while the
mailbox thread writes one batch, the next is parsed on another core. Only plain
data crosses: raw bytes in, ParsedMail without its email.message tree and with
its attachments already stored by hash out. If the
process dies, the batch is filtered in the calling thread and a new process is
started for the next one, so a crash there costs time, never a mail.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from appliance.mail.content_filters import CONTENT_FILTERS, Filter, run_filter_list
from appliance.mail.filters import attachments
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail

log = logging.getLogger("aspa.mail.parse_pool")

PARENT_CHECK_S = 1.0  # how soon an orphaned parsing process notices and ends
BLOB_FILTERS: list[tuple[str, Filter]] = [("attachments", attachments.run)]


@dataclass(frozen=True, slots=True)
class ParseJob:
    """One fetched mail to filter: its bytes and where it came from."""

    raw: bytes
    size: int
    headers_only: bool
    uidvalidity: int | None
    uid: int | None


def filter_jobs(source: str, jobs: list[ParseJob], settings: PoolSettings) -> list[ParsedMail]:
    """Run the content filters over each job (in the second process, or here as a fallback)."""
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
        if mail.raw is job.raw:
            mail.raw = b""  # the caller still holds the bytes; only a cut-down copy travels
        out.append(mail)
    return out


def exit_with_parent(parent_pid: int) -> None:
    """In the parsing process: end when the intake process is gone, even if it was killed.

    The pool's queues are shared both ways, so a killed parent leaves the worker no EOF
    to notice; a look at the parent id every second does.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM), for the benchmark's memory figure."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """What the filters in the parsing process need to know of the intake's context."""

    attachments_dir: Path
    own_domains: frozenset[str]
    size_cap_bytes: int


class ParsePool:
    """One parsing process, started on first use; batches come back in the order sent."""

    def __init__(self, ctx: IntakeContext) -> None:
        self.settings = PoolSettings(ctx.attachments_dir, ctx.own_domains, ctx.size_cap_bytes)
        self._executor: cf.ProcessPoolExecutor | None = None

    def submit(self, source: str, jobs: list[ParseJob]) -> cf.Future[list[ParsedMail]]:
        """Start filtering a batch in the second process (a new one if the last one died)."""
        try:
            return self._running().submit(filter_jobs, source, jobs, self.settings)
        except (cf.BrokenExecutor, RuntimeError):
            # Found dead before any result said so (killed, out of memory): start afresh.
            self._drop_executor()
            return self._running().submit(filter_jobs, source, jobs, self.settings)

    def _running(self) -> cf.ProcessPoolExecutor:
        if self._executor is None:
            # spawn: a fresh interpreter, not a copy of this process's memory and threads.
            self._executor = cf.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=exit_with_parent, initargs=(os.getpid(),))
        return self._executor

    def results(self, future: cf.Future[list[ParsedMail]], source: str,
                jobs: list[ParseJob]) -> list[ParsedMail]:
        """The filtered batch, raw bytes restored; filtered here if the process failed."""
        try:
            mails = future.result()
        except Exception as error:  # a dead or broken process: do the work here instead
            log.warning("parsing process failed (%r); filtering %d mails in the intake thread",
                        error, len(jobs))
            self._drop_executor()
            mails = filter_jobs(source, jobs, self.settings)
        for mail, job in zip(mails, jobs, strict=True):
            if not mail.raw:
                mail.raw = job.raw
        return mails

    def peak_rss_kb(self) -> int:
        """The parsing process's peak resident memory, 0 when none runs."""
        if self._executor is None:
            return 0
        return self._executor.submit(peak_rss_kb).result()

    def close(self) -> None:
        """Stop the parsing process."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _drop_executor(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
