"""`aspa mail import`: mbox, Maildir and .eml folders through the intake, twice without doubling."""

from __future__ import annotations

import mailbox
import shutil
from collections.abc import Callable
from pathlib import Path

import peewee as pw
import pytest

from appliance.mail.errors import MailError
from appliance.mail.intake_context import IntakeContext
from appliance.mail.mail_import import import_path, source_kind
from appliance.store.models import Message, Quarantine, Ticket
from tests.mail.conftest import CORPUS
from tests.mail.mail_factory import plain_mail


def thread_of_three() -> list[bytes]:
    return [
        plain_mail(sender="liisa@asiakas.fi", message_id="<t1@asiakas.fi>", subject="Alku"),
        plain_mail(sender="liisa@asiakas.fi", subject="Re: Alku",
                   extra_headers="In-Reply-To: <t1@asiakas.fi>\r\n"),
        b"Subject: ei lahettajaa\r\n\r\nrikki",
    ]


def make_mbox(path: Path, raws: list[bytes]) -> Path:
    box = mailbox.mbox(path)
    for raw in raws:
        box.add(raw)
    box.close()
    return path


def make_maildir(path: Path, raws: list[bytes]) -> Path:
    box = mailbox.Maildir(path)
    for raw in raws:
        box.add(raw)
    return path


@pytest.mark.parametrize("make", [make_mbox, make_maildir])
def test_import_counts_and_running_twice_imports_nothing_twice(
    make: Callable[[Path, list[bytes]], Path], tmp_path: Path, ctx: IntakeContext,
    store: pw.Database
) -> None:
    source = make(tmp_path / "vanha", thread_of_three())
    seen: list[tuple[int, int]] = []
    first = import_path(source, ctx, progress=lambda done, total: seen.append((done, total)))
    assert (first.created, first.threaded, first.quarantined, first.skipped) == (1, 1, 1, 0)
    assert seen[-1] == (3, 3)
    again = import_path(source, ctx)
    assert (again.created, again.threaded, again.quarantined, again.skipped) == (0, 0, 0, 3)
    assert again.line() == ("3 mails: 0 new tickets, 0 added to tickets, 0 quarantined, "
                            "3 already imported")
    assert (Ticket.select().count(), Message.select().count(), Quarantine.select().count()) == (
        1, 2, 1)


def test_folder_of_eml_files_takes_the_whole_corpus(tmp_path: Path, ctx: IntakeContext,
                                                     store: pw.Database) -> None:
    folder = tmp_path / "eml"
    shutil.copytree(CORPUS, folder)
    summary = import_path(folder, ctx)
    files = len(list(CORPUS.glob("*.eml")))
    assert summary.total == files
    # The corpus repeats one Message-ID on purpose, on two different mails: both are kept.
    assert summary.skipped == 0
    # 4 broken or looping mails, and 5 auto-replies and bounces that answer no ticket here
    assert summary.quarantined == 9


def test_unknown_source_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(MailError, match="not an mbox"):
        source_kind(junk)
    with pytest.raises(MailError, match="does not exist"):
        source_kind(tmp_path / "missing")
