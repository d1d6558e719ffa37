"""IDLE against Dovecot: mail that arrives just before IDLE starts is not slept through."""

from __future__ import annotations

import socket
import time

from appliance.config.sections.mail import MailboxSettings
from appliance.mail.imap_client import ImapSession
from tests.mail.mail_factory import plain_mail
from tests.peers.dovecot import ImapAccount


def test_mail_appended_between_the_last_look_and_idle_is_announced(
    imap_account: ImapAccount,
) -> None:
    settings = MailboxSettings(name="support", host=imap_account.host, port=imap_account.port,
                               security="none", user=imap_account.user,
                               password=imap_account.password)
    session = ImapSession(settings, imap_account.password)
    session.connect()
    wake_r, wake_w = socket.socketpair()
    try:
        session.select("INBOX")
        assert session.uids_after(0) == []
        # Another client delivers now: after our last command, before our IDLE. The server
        # answers IDLE with its continuation and the news, often in one packet.
        imap_account.append(plain_mail(sender="Liisa <liisa@asiakas.fi>", subject="Apua"))
        started = time.monotonic()
        announced = session.idle(10.0, wake_r)
        waited = time.monotonic() - started
    finally:
        wake_r.close()
        wake_w.close()
        session.close()
    assert announced
    assert waited < 2.0  # the intake's promise: new mail is a ticket within 2 s
