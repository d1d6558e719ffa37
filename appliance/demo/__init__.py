"""`aspa demo`: the whole daemon with simulated callers, mailbox and desks."""
