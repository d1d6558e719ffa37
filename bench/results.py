"""What a benchmark hands to `bench.run_all`: one row per judged figure, as JSON.

A benchmark run alone prints its own report; run by `run_all` it also writes
its rows to the file named by ASPA_BENCH_RESULTS, which `run_all` reads back.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_ENV = "ASPA_BENCH_RESULTS"
QUICK_ENV = "ASPA_BENCH_QUICK"  # 1: smaller sizes, for a quick look (not for the record)


@dataclass(frozen=True)
class Row:
    """One judged figure: what, its goal, the anchor measured in the same run, the ratio."""

    name: str
    goal: str
    anchor: str
    figure: str
    ratio: float  # figure against the anchor (or against the goal where the goal is absolute)
    met: bool


def quick() -> bool:
    """True when a quick run with smaller sizes was asked for."""
    return os.environ.get(QUICK_ENV, "") not in ("", "0")


def record(rows: list[Row]) -> None:
    """Hand the rows to run_all, when it started this benchmark."""
    target = os.environ.get(RESULTS_ENV)
    if target:
        Path(target).write_text(json.dumps([asdict(row) for row in rows]))


def read(path: Path) -> list[Row]:
    """The rows a benchmark wrote."""
    return [Row(**fields) for fields in json.loads(path.read_text())]
