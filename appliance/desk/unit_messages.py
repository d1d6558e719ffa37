"""Payloads a desk unit sends: exactly `press` or `hold` on button, `online`/`offline` on status."""

from __future__ import annotations

from appliance.presence.gestures import Gesture

MAX_PAYLOAD_BYTES = 16  # anything longer is not a desk unit talking


def parse_button(payload: bytes) -> Gesture | None:
    """The gesture in a button payload, or None when it is malformed."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        return None
    try:
        return Gesture(payload.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None


def parse_status(payload: bytes) -> bool | None:
    """True for `online`, False for `offline` (or the empty payload that clears it), else None."""
    if payload == b"online":
        return True
    if payload in (b"offline", b""):
        return False
    return None
