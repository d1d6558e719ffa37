"""Reconnect delays: doubling from a short first wait up to a ceiling."""

from __future__ import annotations

FIRST_DELAY_S = 1.0
MAX_DELAY_S = 300.0


def reconnect_delay(failures: int, first_s: float = FIRST_DELAY_S,
                    max_s: float = MAX_DELAY_S) -> float:
    """Seconds to wait after the n-th consecutive failure (n >= 1)."""
    if failures < 1:
        return 0.0
    return float(min(max_s, first_s * 2 ** min(failures - 1, 30)))
