"""`aspa stats --json`: the box's figures for scripts and support."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from appliance.commands.configured import config_of, open_configured_store


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `stats`."""
    stats = subparsers.add_parser(
        "stats", help="tickets by status, quarantine, agents by presence, waiting calls, "
        "service debt today",
        description="Read the figures from the database. Presence and waiting calls live in "
        "the running daemon: here every active agent counts as offline and no call waits; "
        "the web page's /api/stats has the live ones.")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(handler=show_stats)


def show_stats(args: argparse.Namespace) -> int:
    """Read the figures from the store and print them."""
    from appliance.store.stats import store_stats

    config = config_of(args)
    db = open_configured_store(config)
    try:
        figures = store_stats(datetime.now(UTC), ZoneInfo(config.box.time_zone))
    finally:
        db.close()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, sort_keys=True))
    else:
        print(_as_text(figures))
    return 0


def _as_text(figures: dict[str, Any]) -> str:
    """The figures as `key: value` lines, nested keys joined with dots."""
    lines: list[str] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            lines.append(f"{prefix}: {value}")

    walk("", figures)
    return "\n".join(lines)
