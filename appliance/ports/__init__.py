"""Ports: the narrow interfaces the wiring hands to each part (and parts plug in by)."""
