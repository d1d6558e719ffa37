"""The running daemon: start, wiring of the parts, supervision, systemd, stop."""
