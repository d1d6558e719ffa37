"""Mailboxes: the IMAP mailboxes, their tests, and quarantined mail."""
