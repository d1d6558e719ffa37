"""Real peers for the tests: Mosquitto, Dovecot, an SMTP server, PostgreSQL, on loopback."""
