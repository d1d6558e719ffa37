"""Customers' personal data under the GDPR: retention, export, erasure and the audit trail."""
