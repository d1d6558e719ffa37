"""First boot: until an admin exists every page leads here; then the line and the mailbox."""
