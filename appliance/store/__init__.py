"""The store: peewee models on SQLite (WAL) or PostgreSQL, versioned and migrated."""
