"""Mail: IMAP intake into tickets, quarantine and replay, replies over SMTP, imports."""
