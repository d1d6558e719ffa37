"""The content filters (MIME parsing, HTML cleaning, detection) in a second process.

Parsing is most of an incoming mail's cost, and it needs no database: while the
mailbox thread writes one batch, the next is parsed on another core. Only plain
data crosses: raw bytes in, ParsedMail without its email.message tree and with
its attachments already stored by hash out. The process is a fresh interpreter
running appliance.mail.parse_worker (not a copy of this one), over two pipes; a
thread here feeds it and another reads its answers, so neither side waits for the
other to read. If the process dies, the batch is filtered in the calling thread
and a new process is started for the next one, so a crash there costs time,
never a mail. It ends by itself when this process does (its input ends).
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import logging
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import appliance
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parse_worker import (
    ParseJob,
    ParseRequest,
    PeakRssRequest,
    PoolSettings,
    filter_jobs,
    read_frame,
    write_frame,
)
from appliance.mail.parsed_mail import ParsedMail

__all__ = ["ParseJob", "ParsePool", "ParsingProcessGone", "PoolSettings", "filter_jobs"]

log = logging.getLogger("aspa.mail.parse_pool")

STOP_TIMEOUT_S = 5.0


def launch_command() -> list[str]:
    """The parsing process's command line: a lean interpreter that runs parse_worker.main.

    -S skips site (its path hooks cost ~2.5 MB resident); this process's import path is
    handed over instead. hashlib then uses the interpreter's built-in SHA-256 rather than
    loading OpenSSL (~3.5 MB resident) for the attachment hashes: the same digests. Not
    `-m`: the frames' classes must be parse_worker's own, not a copy in __main__.
    """
    paths = [p for p in sys.path if os.path.exists(p)]  # folders and zip archives
    package_root = str(Path(appliance.__file__).resolve().parent.parent)
    if package_root not in paths:  # an editable install finds it through a site hook
        paths.append(package_root)
    code = (f"import sys; sys.path[:] = {paths!r}; sys.modules['_hashlib'] = None; "
            "from appliance.mail.parse_worker import main; sys.exit(main())")
    return [sys.executable, "-S", "-c", code]


class ParsingProcessGone(RuntimeError):
    """The parsing process ended before answering."""


class ParsingProcess:
    """One running parse_worker: requests go out in order, answers come back in that order."""

    def __init__(self, settings: PoolSettings) -> None:
        self.process = subprocess.Popen(launch_command(), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)
        assert self.process.stdin is not None and self.process.stdout is not None
        self._lock = threading.Lock()
        self._waiting: collections.deque[cf.Future[object]] = collections.deque()
        self._outgoing: queue.SimpleQueue[object | None] = queue.SimpleQueue()
        self._gone: BaseException | None = None
        self._outgoing.put(settings)  # the first frame; it has no answer
        self._sender = threading.Thread(target=self._send_all, args=(self.process.stdin,),
                                        name="parse-pool-send", daemon=True)
        self._reader = threading.Thread(target=self._read_all, args=(self.process.stdout,),
                                        name="parse-pool-read", daemon=True)
        self._sender.start()
        self._reader.start()

    @property
    def alive(self) -> bool:
        """False once the process is known to have ended or failed."""
        return self._gone is None

    def ask(self, request: object) -> cf.Future[object]:
        """Queue a request; its future gets the answer, or ParsingProcessGone."""
        future: cf.Future[object] = cf.Future()
        with self._lock:
            if self._gone is not None:
                raise ParsingProcessGone(str(self._gone))
            self._waiting.append(future)
            self._outgoing.put(request)
        return future

    def stop(self) -> None:
        """End the process (its input ends) and the two threads."""
        self._outgoing.put(None)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._sender.join(STOP_TIMEOUT_S)
        self._reader.join(STOP_TIMEOUT_S)
        self._fail(ParsingProcessGone("stopped"))

    def _send_all(self, pipe: IO[bytes]) -> None:
        try:
            while (request := self._outgoing.get()) is not None:
                write_frame(pipe, request)
        except (OSError, ValueError) as error:  # the process died: its pipe is broken
            self._fail(error)
        finally:
            with contextlib.suppress(OSError, ValueError):
                pipe.close()

    def _read_all(self, pipe: IO[bytes]) -> None:
        try:
            while (answer := read_frame(pipe)) is not None:
                with self._lock:
                    future = self._waiting.popleft()
                future.set_result(answer)
            self._fail(ParsingProcessGone(f"exit status {self.process.wait()}"))
        except Exception as error:  # a broken frame is a broken process
            self._fail(error)

    def _fail(self, error: BaseException) -> None:
        with self._lock:
            if self._gone is None:
                self._gone = error
            waiting = list(self._waiting)
            self._waiting.clear()
        for future in waiting:
            if not future.done():
                future.set_exception(ParsingProcessGone(repr(error)))


class ParsePool:
    """One parsing process, started on first use; batches come back in the order sent."""

    def __init__(self, ctx: IntakeContext) -> None:
        self.settings = PoolSettings(ctx.attachments_dir, ctx.own_domains, ctx.size_cap_bytes)
        self._process: ParsingProcess | None = None

    def start(self) -> None:
        """Start the process now (if not running), ahead of the first batch."""
        self._running()

    def submit(self, source: str, jobs: list[ParseJob]) -> cf.Future[object]:
        """Start filtering a batch in the second process (a new one if the last one died)."""
        try:
            return self._running().ask(ParseRequest(source, jobs))
        except ParsingProcessGone:
            # Found dead before any answer said so (killed, out of memory): start afresh.
            self._drop_process()
            return self._running().ask(ParseRequest(source, jobs))

    def _running(self) -> ParsingProcess:
        if self._process is None or not self._process.alive:
            self._drop_process()
            self._process = ParsingProcess(self.settings)
        return self._process

    def results(self, future: cf.Future[object], source: str,
                jobs: list[ParseJob]) -> list[ParsedMail]:
        """The filtered batch, raw bytes restored; filtered here if the process failed."""
        try:
            answer = future.result()
            if not isinstance(answer, list) or len(answer) != len(jobs):
                raise ParsingProcessGone(f"unexpected answer {type(answer).__name__}")
            mails: list[ParsedMail] = answer
        except Exception as error:  # a dead or broken process: do the work here instead
            log.warning("parsing process failed (%r); filtering %d mails in the intake thread",
                        error, len(jobs))
            self._drop_process()
            mails = filter_jobs(source, jobs, self.settings)
        for mail, job in zip(mails, jobs, strict=True):
            if not mail.raw:
                mail.raw = job.raw
        return mails

    def peak_rss_kb(self) -> int:
        """The parsing process's peak resident memory, 0 when none runs."""
        if self._process is None or not self._process.alive:
            return 0
        answer = self._process.ask(PeakRssRequest()).result()
        return answer if isinstance(answer, int) else 0

    def close(self) -> None:
        """Stop the parsing process."""
        self._drop_process()

    def _drop_process(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None
