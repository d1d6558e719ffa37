"""Backups of the box: one archive with the database, attachments, state and configuration."""
