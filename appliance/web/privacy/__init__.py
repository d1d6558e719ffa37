"""Privacy: export and erasure of a person's data, and the audit trail."""
