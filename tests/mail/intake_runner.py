"""A mail intake in its own process, for the crash tests: take in one mailbox once, then exit.

    python -m tests.mail.intake_runner DB ATTACHMENTS HOST PORT USER PASSWORD [pool]

With `pool`, the mail is parsed in a second process (appliance.mail.parse_pool).
"""

from __future__ import annotations

import sys
from pathlib import Path

from appliance.config.sections.mail import MailboxSettings
from appliance.mail.imap_client import ImapSession
from appliance.mail.intake_context import IntakeContext
from appliance.mail.mailbox_worker import MailboxWorker
from appliance.mail.parse_pool import ParsePool
from appliance.mail.processing import MailProcessor
from appliance.store.startup import open_store


def main(argv: list[str]) -> int:
    """Open the store, sync the mailbox once, exit 0."""
    db_path, attachments, host, port, user, password = argv[:6]
    use_pool = argv[6:] == ["pool"]
    db = open_store(Path(db_path))
    settings = MailboxSettings(name="support", host=host, port=int(port), security="none",
                               user=user, password=password)
    ctx = IntakeContext(Path(attachments))
    pool = ParsePool(ctx) if use_pool else None
    worker = MailboxWorker(settings, MailProcessor(ctx), lambda event: None, parse_pool=pool)
    session = ImapSession(settings, password)
    session.connect()
    try:
        worker.sync(session)
    finally:
        session.close()
        if pool is not None:
            pool.close()
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
