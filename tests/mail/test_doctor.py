"""`aspa doctor`'s mail rows against a real Dovecot and SMTP server."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from appliance.config.aspa_toml import Config, config_from_mapping
from appliance.doctor.registry import Finding
from appliance.mail.doctor import intake_backlog, mailboxes_answer, smtp_answers
from appliance.mail.filters.unanswered_automatic import AUTO_REPLY_REASON, BOUNCE_REASON
from appliance.store.models import Quarantine, database_proxy
from appliance.store.startup import open_store
from tests.peers.dovecot import ImapAccount
from tests.peers.smtp import SmtpServer


def rows(result: Finding | Iterable[Finding]) -> list[Finding]:
    """A check's result as a list of rows."""
    return [result] if isinstance(result, Finding) else list(result)


def configured(tmp_path: Path, account: ImapAccount, smtp: SmtpServer, password: str) -> Config:
    return config_from_mapping({
        "data_dir": str(tmp_path),
        "mail": {
            "mailboxes": [{"name": "support", "host": account.host, "port": account.port,
                           "security": "none", "user": account.user, "password": password}],
            "smtp": {"host": smtp.host, "port": smtp.port, "security": "none",
                     "from_address": "tuki@yritys.fi"},
        },
    }, tmp_path)


def test_working_mailbox_and_smtp_are_ok(tmp_path: Path, imap_account: ImapAccount,
                                         smtp_server: SmtpServer) -> None:
    config = configured(tmp_path, imap_account, smtp_server, imap_account.password)
    (row,) = rows(mailboxes_answer(config))
    assert row.status == "ok" and "holds 0 mails; IDLE" in row.detail
    assert [r.status for r in rows(smtp_answers(config))] == ["ok"]


def test_wrong_password_and_smtp_away_fail_with_the_reason(
    tmp_path: Path, imap_account: ImapAccount, smtp_server: SmtpServer
) -> None:
    config = configured(tmp_path, imap_account, smtp_server, "väärä")
    (row,) = rows(mailboxes_answer(config))
    assert row.status == "fail" and "refused the login" in row.detail
    smtp_server.stop()
    (row,) = rows(smtp_answers(config))
    assert row.status == "fail" and "check mail.smtp" in row.detail


def test_backlog_reports_quarantine(tmp_path: Path, imap_account: ImapAccount,
                                    smtp_server: SmtpServer) -> None:
    config = configured(tmp_path, imap_account, smtp_server, imap_account.password)
    db = open_store(config.database_url)
    Quarantine.create(source="mail:support", reason="no sender", raw=b"x")
    db.close()
    last = rows(intake_backlog(config))[-1]
    database_proxy.initialize(None)
    assert last.status == "warn" and "1 mails in quarantine" in last.detail


def test_auto_replies_kept_aside_are_counted_but_raise_no_warning(
        tmp_path: Path, imap_account: ImapAccount, smtp_server: SmtpServer) -> None:
    config = configured(tmp_path, imap_account, smtp_server, imap_account.password)
    db = open_store(config.database_url)
    Quarantine.create(source="mail:support", reason=AUTO_REPLY_REASON, raw=b"x")
    Quarantine.create(source="mail:support", reason=BOUNCE_REASON, raw=b"y")
    db.close()
    last = rows(intake_backlog(config))[-1]
    database_proxy.initialize(None)
    assert last.status == "ok"
    assert "0 mails in quarantine (and 2 auto-replies or bounces of no ticket" in last.detail
