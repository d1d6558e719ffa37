"""Try a mailbox's settings before saving them: connect, log in, open the folder, log out."""

from __future__ import annotations

import asyncio
import imaplib

from appliance.config.sections.mail import MailboxSettings
from appliance.mail.errors import ImapError
from appliance.mail.imap_client import ImapSession

CHECK_TIMEOUT_S = 10.0  # per socket operation: a test answers while the admin still waits
CHECK_DEADLINE_S = 25.0  # the whole check, however slowly a server drips its answers


class MailboxCheckTimedOut(ImapError):
    """The server did not finish answering within CHECK_DEADLINE_S."""


def check_mailbox(settings: MailboxSettings, password: str,
                  timeout_s: float = CHECK_TIMEOUT_S) -> str:
    """What the server said when all went well; ImapError with its own words otherwise.

    Blocking: run it in a thread. Nothing in the mailbox changes: SELECT only
    reads the folder's state (RFC 3501 §6.3.1).
    """
    session = ImapSession(settings, password, timeout_s=timeout_s)
    session.connect()
    try:
        status = session.select(settings.folder)
    except ImapError:
        raise  # already says what the server said
    except (OSError, imaplib.IMAP4.error) as error:
        where = f"{settings.host}:{settings.port}"
        raise ImapError(f"IMAP server {where} broke off: {error}") from error
    finally:
        session.close()
    return (f"logged in to {settings.host}:{settings.port} as {settings.user!r}; "
            f"folder {settings.folder!r} holds {status.exists} message(s)")


async def async_check_mailbox(settings: MailboxSettings, password: str, *,
                              timeout_s: float = CHECK_TIMEOUT_S,
                              deadline_s: float = CHECK_DEADLINE_S) -> str:
    """check_mailbox in a thread, given up after deadline_s (the thread ends on its own)."""
    try:
        async with asyncio.timeout(deadline_s):
            return await asyncio.to_thread(check_mailbox, settings, password, timeout_s)
    except TimeoutError:
        raise MailboxCheckTimedOut(
            f"IMAP server {settings.host}:{settings.port} did not answer within "
            f"{deadline_s:g} s") from None
