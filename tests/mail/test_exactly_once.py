"""Exactly once: an intake killed at any instant neither loses nor doubles a mail."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest

from tests.mail.crash_check import append_many, run_with_kills
from tests.mail.mail_factory import plain_mail
from tests.peers.dovecot import ImapAccount

SMALL_RUN_MAILS = 200
SMALL_RUN_KILLS = 5


def mails(count: int) -> list[bytes]:
    return [plain_mail(sender=f"asiakas{i % 37}@asiakas.fi", subject=f"Asia {i}",
                       message_id=f"<crash-{i}@asiakas.fi>", body=f"Viesti {i}\n" * 20)
            for i in range(count)]


@pytest.mark.parametrize(("seed", "parse_process"), [(1, False), (2, False), (3, True)])
def test_sigkill_during_intake_loses_and_doubles_nothing(
    imap_account: ImapAccount, tmp_path: Path, seed: int, parse_process: bool
) -> None:
    append_many(imap_account, mails(SMALL_RUN_MAILS))
    result = run_with_kills(imap_account, tmp_path / "aspa.db", tmp_path / "att",
                            SMALL_RUN_MAILS, SMALL_RUN_KILLS, seed, parse_process=parse_process)
    assert result.kills >= 1
    assert result.messages == result.distinct_message_ids == SMALL_RUN_MAILS
    assert result.tickets == SMALL_RUN_MAILS and result.last_uid == SMALL_RUN_MAILS
    assert all("\\Seen" in m.flags for m in imap_account.fetch_all())


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("ASPA_SLOW_TESTS"), reason="set ASPA_SLOW_TESTS=1 to run")
@pytest.mark.parametrize("parse_process", [False, True])
def test_sigkill_twenty_times_during_two_thousand_mails(
    imap_account: ImapAccount, tmp_path: Path, parse_process: bool
) -> None:
    append_many(imap_account, mails(2000))
    result = run_with_kills(imap_account, tmp_path / "aspa.db", tmp_path / "att", 2000, 20, 7,
                            parse_process=parse_process)
    assert result.kills >= 10
    assert result.messages == result.distinct_message_ids == result.tickets == 2000


def test_uidvalidity_change_refetches_without_duplicates(
    imap_account: ImapAccount, tmp_path: Path
) -> None:
    append_many(imap_account, mails(5))
    db = tmp_path / "aspa.db"
    run_with_kills(imap_account, db, tmp_path / "att", 5, 0, 0)
    before = uidvalidity_in(db)
    # A server rebuilt from backup: same mail, new UIDVALIDITY (RFC 3501 §2.3.1.1).
    uidlist = imap_account.maildir / "dovecot-uidlist"
    text = uidlist.read_text()
    uidlist.write_text(re.sub(r" V(\d+) ", f" V{before + 1000} ", text, count=1))
    for index in imap_account.maildir.glob("dovecot.index*"):
        index.unlink()
    result = run_with_kills(imap_account, db, tmp_path / "att", 5, 0, 0)
    assert uidvalidity_in(db) == before + 1000
    assert result.messages == result.distinct_message_ids == 5


def uidvalidity_in(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT uidvalidity FROM mailbox_state").fetchone()[0])
