"""`aspa mail import PATH`: an mbox, a Maildir or a folder of .eml files through the intake.

The same filters and the same Message-ID ledger as the IMAP intake, so running
an import twice (or importing what the mailbox also holds) takes nothing in twice.
The events of each batch go into the change feed in the batch's transaction: a
running daemon queues the new tickets within a second.
"""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from appliance.mail.article_writer import WRITE_LOCK
from appliance.mail.errors import MailError
from appliance.mail.intake_context import IntakeContext
from appliance.mail.processing import MailProcessor
from appliance.store.change_feed import record_changes
from appliance.store.models import database_proxy

COMMIT_EVERY_MAILS = 50
FEED_SOURCE = "cli:mail import"
PROGRESS_EVERY_MAILS = 100

Progress = Callable[[int, int], None]


@dataclass
class ImportSummary:
    """What an import did, mail by mail."""

    created: int = 0
    threaded: int = 0
    quarantined: int = 0
    skipped: int = 0  # already taken in (same Message-ID and content)

    @property
    def total(self) -> int:
        return self.created + self.threaded + self.quarantined + self.skipped

    def line(self) -> str:
        """The closing line of `aspa mail import`."""
        return (f"{self.total} mails: {self.created} new tickets, {self.threaded} added to "
                f"tickets, {self.quarantined} quarantined, {self.skipped} already imported")


def source_kind(path: Path) -> str:
    """maildir, mbox or eml-folder; MailError when it is none of them."""
    if path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
        return "maildir"
    if path.is_dir():
        return "eml-folder"
    if path.is_file():
        with path.open("rb") as head:
            start = head.read(5)
        if start == b"From ":  # the mbox "From_" separator line
            return "mbox"
        if path.suffix.lower() == ".eml":
            return "eml-file"
        raise MailError(f"{path} is not an mbox (no 'From ' line at the start) nor an .eml file")
    raise MailError(f"{path} does not exist")


def raw_mails(path: Path) -> tuple[int, Iterator[bytes]]:
    """How many mails the source holds, and their raw bytes one at a time."""
    kind = source_kind(path)
    if kind == "eml-file":
        return 1, iter([path.read_bytes()])
    if kind == "eml-folder":
        files = sorted(p for p in path.rglob("*.eml") if p.is_file())
        return len(files), (f.read_bytes() for f in files)
    box: mailbox.Mailbox[mailbox.Message]
    box = mailbox.Maildir(path, factory=None, create=False) if kind == "maildir" else (
        mailbox.mbox(path, factory=None, create=False))
    keys = sorted(box.keys()) if kind == "maildir" else list(box.keys())
    return len(keys), (box.get_bytes(k) for k in keys)


def import_path(path: str | Path, ctx: IntakeContext,
                progress: Progress | None = None) -> ImportSummary:
    """Take in every mail at path; commits every few dozen mails, so a crash loses no work."""
    source = Path(path)
    total, mails = raw_mails(source)
    processor = MailProcessor(ctx)
    summary = ImportSummary()
    label = f"import:{source.name}"[:200]
    done = 0
    batch: list[bytes] = []

    def flush() -> None:
        with WRITE_LOCK, database_proxy.atomic():
            events = []
            for raw in batch:
                outcome = processor.process(raw, label)
                events.extend(outcome.events)
                if outcome.kind == "duplicate":
                    summary.skipped += 1
                else:
                    setattr(summary, outcome.kind, getattr(summary, outcome.kind) + 1)
            # in the same transaction: a running daemon hears of exactly what was committed
            record_changes(events, FEED_SOURCE)
        batch.clear()

    for raw in mails:
        batch.append(raw)
        done += 1
        if len(batch) >= COMMIT_EVERY_MAILS:
            flush()
        if progress is not None and (done % PROGRESS_EVERY_MAILS == 0 or done == total):
            progress(done, total)
    if batch:
        flush()
        if progress is not None and done % PROGRESS_EVERY_MAILS:
            progress(done, total)
    return summary
