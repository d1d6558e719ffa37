"""Aspa test suite."""
