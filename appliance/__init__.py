"""Aspa: a customer-service box for small offices."""

__version__ = "0.1.0"
