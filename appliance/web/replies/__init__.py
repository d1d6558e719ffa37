"""Saved replies and knowledge snippets: their page, and inserting them into a ticket's reply."""
