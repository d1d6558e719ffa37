"""A small line chart drawn on the server as SVG: no script, nothing for the CSP to allow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 200
PAD = 30


@dataclass(frozen=True, slots=True)
class LineChart:
    """Points of a polyline and the labels of its axes, in SVG user units."""

    points: str
    dots: tuple[tuple[float, float, str, int], ...]  # x, y, label, value
    top: int
    bottom: int
    width: int = WIDTH
    height: int = HEIGHT


def line_chart(labels: Sequence[str], values: Sequence[int]) -> LineChart:
    """The chart of `values` (one per label), scaled to fit between their least and most."""
    top = max([*values, 1])
    bottom = min([*values, 0])
    span = max(1, top - bottom)
    step = (WIDTH - 2 * PAD) / max(1, len(values) - 1)
    dots = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = PAD + index * step
        y = HEIGHT - PAD - (value - bottom) * (HEIGHT - 2 * PAD) / span
        dots.append((round(x, 1), round(y, 1), label, value))
    points = " ".join(f"{x},{y}" for x, y, _, _ in dots)
    return LineChart(points=points, dots=tuple(dots), top=top, bottom=bottom)
