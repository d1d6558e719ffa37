"""The one error the SMS PDU codec raises for anything it cannot read or write."""

from __future__ import annotations


class PduError(ValueError):
    """An SMS PDU (or text for one) is malformed, truncated or cannot be encoded."""
