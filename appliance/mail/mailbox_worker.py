"""One mailbox's intake loop in its own thread: connect, take in new mail, IDLE or poll, repeat.

Order (exactly once): commit the articles, their ledger rows and the UID position
of up to COMMIT_EVERY_MAILS mails in one transaction (when one fails to store, the
transaction rolls back and is written again with a savepoint per mail, so that one
goes to quarantine and the others are stored), then flag \\Seen or move those mails
on the server. A kill between the two leaves flags unset, never a mail lost or
doubled. With a parse pool the next group is fetched and parsed in a second
process while this one is written.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from appliance.config.sections.mail import MailboxSettings
from appliance.mail.article_writer import (
    WRITE_LOCK,
    MailboxPosition,
    WriteOutcome,
    advance_position,
)
from appliance.mail.backoff import reconnect_delay
from appliance.mail.errors import ImapError
from appliance.mail.imap_client import ImapSession
from appliance.mail.mailbox_health import MailboxHealth, MailboxHealthReporter
from appliance.mail.parse_pool import ParseJob, ParsePool
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import DATA_ERRORS, MailProcessor
from appliance.spine.events import Event
from appliance.store.models import MailboxState, database_proxy
from appliance.store.worker import release_connection_memory

log = logging.getLogger("aspa.mail.intake")

FETCH_BATCH_UIDS = 500  # the reference's measurement: 500 UIDs keep memory flat at no cost
FETCH_BATCH_BYTES = 8 * 1024 * 1024
# With a parse pool two groups are in memory at once (one being stored, the next being
# parsed): smaller groups keep the sum where one group alone would be.
POOLED_FETCH_BATCH_BYTES = 2 * 1024 * 1024
# Mails per transaction: one fsync (synchronous=FULL) per 200
# mails instead of per mail; the UID position and the flags follow each commit.
COMMIT_EVERY_MAILS = 200
PARSE_BATCH_MAILS = 10  # mails per hand-over to the parsing process: small, so writing starts soon
# A group smaller than this is parsed in the mailbox thread: mail arriving a few at a time
# gains nothing from the second process (and does not start it), a backlog does.
POOL_MIN_GROUP_MAILS = 20
# The intake thread's SQLite page cache: it appends rows and walks a few index paths; 2 MB
# took it as fast as the store's default 8 MB, at 6-7 MB less resident memory.
INTAKE_PAGE_CACHE_KIB = 2 * 1024
# A sync that took in this many mails (a backlog) hands its connection's page cache back
# after it: the next sync finds the pages it needs in the file cache (bench/memory.py).
RELEASE_AFTER_MAILS = 100
UNFETCHABLE_AFTER_FAILURES = 2  # a UID failing alone this often goes to quarantine
# Without IDLE, or as a safety net with it, look at the folder at least this often.
IDLE_RESYNC_S = 300.0

Publish = Callable[[Event], None]
PublishAll = Callable[[Sequence[Event]], None]
FETCH_ERRORS = (OSError, imaplib.IMAP4.error, ImapError)


def read_password(settings: MailboxSettings) -> str:
    """The password from the settings or from password_file (first line)."""
    if settings.password_file:
        return Path(settings.password_file).read_text().splitlines()[0]
    return settings.password


@dataclass
class FetchedGroup:
    """Mails fetched together, waiting to be stored: their bytes, and their parsing if started."""

    uidvalidity: int
    fetched: dict[int, bytes]
    pending: list[int]  # UIDs in ascending order
    sizes: dict[int, int]
    large: set[int]  # over the size cap: only the headers were fetched
    parsed: Iterator[ParsedMail] | None  # from the parse pool, in `pending` order


def batches(uids: Sequence[int], sizes: dict[int, int], cap: int,
            max_bytes: int = FETCH_BATCH_BYTES) -> Iterator[list[int]]:
    """Groups of UIDs to fetch at once: at most FETCH_BATCH_UIDS and about max_bytes."""
    group: list[int] = []
    total = 0
    for uid in uids:
        size = min(sizes.get(uid, 0), cap)
        if group and (len(group) >= FETCH_BATCH_UIDS or total + size > max_bytes):
            yield group
            group, total = [], 0
        group.append(uid)
        total += size
    if group:
        yield group


class MailboxWorker:
    """Runs one mailbox until stopped; errors become health, never silence."""

    def __init__(self, settings: MailboxSettings, processor: MailProcessor,
                 publish: Publish, after_commit: Callable[[], None] | None = None,
                 parse_pool: ParsePool | None = None,
                 publish_all: PublishAll | None = None) -> None:
        self.settings = settings
        self.processor = processor
        self.parse_pool = parse_pool  # parse in a second process while this thread writes
        self.publish = publish
        # A committed batch's events handed over at once: the daemon's subscribers then see
        # the whole batch queued and file it with one read-back and one history write.
        self.publish_all: PublishAll = publish_all or self._publish_each
        self.after_commit = after_commit  # e.g. wake the outbox for queued acknowledgements
        self.reporter = MailboxHealthReporter(settings.name, publish, processor.ctx.clock)
        self._stop = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread: threading.Thread | None = None
        self.synced = threading.Condition()
        self.sync_count = 0
        self._suspect_up_to: int | None = None  # fetch one by one up to this UID
        self._uid_failures: dict[tuple[int, int], int] = {}

    @property
    def part(self) -> str:
        """The name health events carry."""
        return self.reporter.part

    @property
    def health(self) -> MailboxHealth:
        """The mailbox's health right now."""
        return self.reporter.health

    def start(self) -> None:
        """Start the worker thread."""
        self._thread = threading.Thread(target=self._run, name=f"imap:{self.settings.name}",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the thread to finish its current mail and wait for it."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._wake_r.close()
        self._wake_w.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            session: ImapSession | None = None
            try:
                session = ImapSession(self.settings, read_password(self.settings))
                session.connect()
                self._serve(session)
            except (OSError, imaplib.IMAP4.error, ImapError) as error:
                if self._stop.is_set():
                    break
                self.reporter.failed(error)
            except Exception as error:  # a bug must show as health, not kill the thread quietly
                log.exception("mailbox %s: unexpected error", self.settings.name)
                self.reporter.failed(error)
            finally:
                if session is not None:
                    session.close()
                if not database_proxy.is_closed():
                    database_proxy.close()
            if not self._stop.is_set():
                self._stop.wait(reconnect_delay(self.reporter.failures, first_s=0.5))

    def _serve(self, session: ImapSession) -> None:
        """Take in what is waiting, then wait for more, until stopped or disconnected."""
        use_idle = self.settings.idle and session.can_idle
        while not self._stop.is_set():
            self.sync(session)
            if session.mail_arrived_meanwhile():
                continue  # announced while we worked: take it in before waiting
            if use_idle:
                session.idle(IDLE_RESYNC_S, self._wake_r)
            else:
                self._stop.wait(self.settings.poll_seconds)
            self._drain_wake()

    def sync(self, session: ImapSession) -> int:
        """Take in every mail above the stored UID; returns how many were handled."""
        db = database_proxy.obj
        if not isinstance(db, pw.PostgresqlDatabase):
            # This thread's SQLite connection: the intake appends, it needs few pages at hand.
            db.execute_sql(f"PRAGMA cache_size = -{INTAKE_PAGE_CACHE_KIB}")
            # Statement journals (the pages each INSERT may have to put back) in memory: on
            # disk they were two write() calls per page, 18 pages per mail.
            db.execute_sql("PRAGMA temp_store = MEMORY")
        status = session.select(self.settings.folder)
        self.reporter.healthy()  # logged in and the folder opened: connected
        state = MailboxState.get_or_none(MailboxState.mailbox == self.settings.name)
        last_uid = 0
        if state is not None and state.uidvalidity == status.uidvalidity:
            last_uid = int(state.last_uid)
        elif state is not None and state.uidvalidity is not None:
            # RFC 3501 §2.3.1.1: new UIDVALIDITY, old UIDs mean nothing. Refetch all;
            # the Message-ID ledger keeps anything from being taken in twice.
            log.warning("mailbox %s: UIDVALIDITY changed %s -> %s, rescanning",
                        self.settings.name, state.uidvalidity, status.uidvalidity)
        self._finish_marks(session, last_uid)
        uids = session.uids_after(last_uid)
        if self.parse_pool is not None and len(uids) >= POOL_MIN_GROUP_MAILS:
            self.parse_pool.start()  # its interpreter starts up while the first group comes in
        handled = 0
        in_hand: FetchedGroup | None = None
        for group, sizes in self._groups(session, uids):
            # Fetch the next group (and start parsing it) before storing the one in hand,
            # so the parsing process is not left waiting for the server or for the writer.
            try:
                upcoming = self._fetch(session, status.uidvalidity, group, sizes)
            except FETCH_ERRORS:
                if in_hand is not None:
                    self._store(in_hand)  # committed; its flags are set at the next sync
                raise
            if in_hand is not None:
                handled += self._take_in(session, in_hand)
                if self._stop.is_set():
                    in_hand = None
                    break
            in_hand = upcoming
            if in_hand.parsed is None:  # nothing works ahead: store it now, hold one group
                handled += self._take_in(session, in_hand)
                in_hand = None
                if self._stop.is_set():
                    break
        if in_hand is not None:
            handled += self._take_in(session, in_hand)
        if handled >= RELEASE_AFTER_MAILS:
            release_connection_memory(db)
        with self.synced:
            self.sync_count += 1
            self.synced.notify_all()
        return handled

    def _groups(self, session: ImapSession,
                uids: Sequence[int]) -> Iterator[tuple[list[int], dict[int, int]]]:
        """The UIDs to fetch, group by group, with the sizes the server gave for them."""
        cap = self.processor.ctx.size_cap_bytes
        for start in range(0, len(uids), FETCH_BATCH_UIDS):
            chunk = uids[start:start + FETCH_BATCH_UIDS]
            sizes = session.sizes(chunk)
            max_bytes = FETCH_BATCH_BYTES if self.parse_pool is None else POOLED_FETCH_BATCH_BYTES
            for group in self._careful(batches(chunk, sizes, cap, max_bytes)):
                yield group, sizes

    def _careful(self, groups: Iterator[list[int]]) -> Iterator[list[int]]:
        """After a batch broke the session, fetch its UIDs one at a time to find the culprit."""
        for group in groups:
            if self._suspect_up_to is not None and group[0] <= self._suspect_up_to:
                yield from ([uid] for uid in group)
            else:
                yield group

    def _fetch(self, session: ImapSession, uidvalidity: int, group: list[int],
               sizes: dict[int, int]) -> FetchedGroup:
        """Fetch a group's bytes (only the headers of oversize mail) and start parsing them."""
        cap = self.processor.ctx.size_cap_bytes
        small = [u for u in group if sizes.get(u, 0) <= cap]
        large = {u for u in group if sizes.get(u, 0) > cap}
        try:
            fetched = dict(session.fetch(small))
            fetched.update(session.fetch(sorted(large), headers_only=True))
        except FETCH_ERRORS as error:
            self._fetch_failed(uidvalidity, group, error)
            raise
        if self._suspect_up_to is not None and group[-1] >= self._suspect_up_to:
            self._suspect_up_to = None
        pending = sorted(fetched)
        return FetchedGroup(uidvalidity, fetched, pending, sizes, large,
                            self._parse_ahead(fetched, pending, sizes, large, uidvalidity))

    def _take_in(self, session: ImapSession, group: FetchedGroup) -> int:
        """Store a fetched group, then flag it on the server."""
        done = self._store(group)
        self._mark(session, done)
        self.health.taken_in += len(done)
        return len(done)

    def _store(self, group: FetchedGroup) -> list[int]:
        """Commit a group's mails, COMMIT_EVERY_MAILS per transaction with their UID position;
        returns the UIDs committed."""
        done: list[int] = []
        outcomes: list[WriteOutcome] = []
        fetched, sizes, parsed = group.fetched, group.sizes, group.parsed
        for start in range(0, len(group.pending), COMMIT_EVERY_MAILS):
            chunk = group.pending[start:start + COMMIT_EVERY_MAILS]
            raws = [fetched.pop(uid) for uid in chunk]
            try:
                if parsed is not None:
                    # Wait for the parsing process outside the transaction: the store
                    # stays free meanwhile.
                    ready = [next(parsed) for _ in chunk]
                    self._write_filtered(group, chunk, ready, raws, outcomes)
                    ready = []
                else:
                    self._write_chunk(group, chunk, raws, sizes, outcomes, savepoints=False)
            except DATA_ERRORS as error:
                # Rolled back whole: write it again, each mail parsed afresh from its bytes
                # (the store filters annotated the first parse) and in a savepoint, so the
                # one that fails goes to quarantine and the rest are stored.
                log.info("%s: a mail failed to store, writing its batch again: %r",
                         self.settings.name, error)
                outcomes.clear()
                self._write_chunk(group, chunk, raws, sizes, outcomes, savepoints=True)
            done.extend(chunk)
            raws = []
            self.publish_all([event for outcome in outcomes for event in outcome.events])
            outcomes.clear()
            if self.after_commit is not None:
                self.after_commit()
        return done

    def _write_chunk(self, group: FetchedGroup, chunk: list[int], raws: list[bytes],
                     sizes: dict[int, int], outcomes: list[WriteOutcome], *,
                     savepoints: bool) -> None:
        """One transaction: the chunk's mails (parsed here) and the mailbox position."""
        with WRITE_LOCK, database_proxy.atomic():
            for uid, raw in zip(chunk, raws, strict=True):
                outcomes.append(self.processor.process(
                    raw, self.part, position=self._position(group, uid),
                    size=sizes.get(uid) or len(raw), headers_only=uid in group.large,
                    advance=False, savepoint=savepoints))
            self._advance(group, chunk)

    def _write_filtered(self, group: FetchedGroup, chunk: list[int], ready: list[ParsedMail],
                        raws: list[bytes], outcomes: list[WriteOutcome]) -> None:
        """One transaction: the chunk's mails as the parsing process filtered them, and the
        mailbox position; no savepoints (a failing mail raises and the caller redoes it)."""
        with WRITE_LOCK, database_proxy.atomic():
            for uid, mail, raw in zip(chunk, ready, raws, strict=True):
                outcomes.append(self.processor.process_filtered(
                    mail, raw, position=self._position(group, uid), advance=False,
                    savepoint=False))
            self._advance(group, chunk)

    def _position(self, group: FetchedGroup, uid: int) -> MailboxPosition:
        return MailboxPosition(self.settings.name, group.uidvalidity, uid)

    def _advance(self, group: FetchedGroup, chunk: list[int]) -> None:
        """The chunk's last UID covers it all (RFC 3501 §2.3.1.1: UIDs ascend)."""
        if chunk:
            advance_position(self._position(group, chunk[-1]), self.processor.ctx.clock.now())

    def _parse_ahead(self, fetched: dict[int, bytes], pending: list[int], sizes: dict[int, int],
                     large: set[int], uidvalidity: int) -> Iterator[ParsedMail] | None:
        """With a parse pool: the whole group handed to the second process now (it is at most
        FETCH_BATCH_BYTES), its mails back in UID order as they are needed; None: no pool, or too
        few mails to be worth the hand-over (parsed in this thread as they are stored)."""
        pool = self.parse_pool
        if pool is None or len(pending) < POOL_MIN_GROUP_MAILS:
            return None
        sent: list[tuple[Future[object], list[ParseJob]]] = []
        for start in range(0, len(pending), PARSE_BATCH_MAILS):
            jobs = [ParseJob(fetched[uid], sizes.get(uid) or len(fetched[uid]), uid in large,
                             uidvalidity, uid)
                    for uid in pending[start:start + PARSE_BATCH_MAILS]]
            sent.append((pool.submit(self.part, jobs), jobs))

        def in_order() -> Iterator[ParsedMail]:
            for future, jobs in sent:
                yield from pool.results(future, self.part, jobs)

        return in_order()

    def _publish_each(self, events: Sequence[Event]) -> None:
        for event in events:
            self.publish(event)

    def _fetch_failed(self, uidvalidity: int, group: list[int], error: BaseException) -> None:
        """One mail the server cannot deliver must not stop the mailbox (cf. freescout#3654).

        A failed batch is retried one UID at a time; a UID failing alone twice is put in
        quarantine with the reason, and the intake goes on after it.
        """
        if len(group) > 1:
            self._suspect_up_to = group[-1]
            return
        uid = group[0]
        key = (uidvalidity, uid)
        self._uid_failures[key] = self._uid_failures.get(key, 0) + 1
        if self._uid_failures[key] < UNFETCHABLE_AFTER_FAILURES:
            return
        reason = (f"the IMAP server would not deliver UID {uid} of {self.settings.folder} "
                  f"({error}); the mail is still on the server")
        position = MailboxPosition(self.settings.name, uidvalidity, uid)
        with WRITE_LOCK, database_proxy.atomic():
            outcome = self.processor.unfetchable(self.part, position, reason)
        for event in outcome.events:
            self.publish(event)
        del self._uid_failures[key]

    def _mark(self, session: ImapSession, uids: list[int]) -> None:
        """After the commit: flag or move on the server (never delete by default)."""
        mark = self.settings.mark
        if mark.startswith("move:"):
            session.move(uids, mark.partition(":")[2])
        else:
            session.mark_seen(uids)

    def _finish_marks(self, session: ImapSession, last_uid: int) -> None:
        """Mail committed just before a crash may still wait for its flag or move."""
        if self.settings.mark.startswith("move:"):
            self._mark(session, session.uids_up_to(last_uid))
        else:
            session.mark_seen(session.uids_up_to(last_uid, unseen_only=True))

    def _drain_wake(self) -> None:
        self._wake_r.setblocking(False)
        try:
            while self._wake_r.recv(64):
                pass
        except (BlockingIOError, OSError):
            pass
        finally:
            self._wake_r.setblocking(True)

    def wait_synced(self, count: int, timeout_s: float) -> bool:
        """Wait until at least `count` syncs have finished (for tests and the importer)."""
        with self.synced:
            return self.synced.wait_for(lambda: self.sync_count >= count, timeout_s)
