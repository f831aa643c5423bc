# SPDX-License-Identifier: EUPL-1.2
"""Server-rendered SVG charts: the geometry of stacked bars and lines, drawn by ``operations/chart.html``.

No JavaScript and no chart library: the page computes rectangles and polylines, the template
writes them as SVG with presentation attributes (no inline style: the CSP forbids it). Every
chart is ``role="img"`` with a title and a description in words, and the page shows the same
numbers in a table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 12, 10, 30
_PLOT_W, _PLOT_H = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
#: Ticks along the time axis (at most).
_X_TICKS = 6


@dataclass(frozen=True)
class Series:
    """One kind of value in a chart: its name in the legend, its colour and (lines) its dashes."""

    label: str
    color: str
    dash: str = ""


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    color: str


@dataclass(frozen=True)
class Line:
    #: SVG ``points`` of each unbroken stretch (a gap where a value is missing)
    segments: list[str]
    color: str
    dash: str
    #: lone points (a value between two gaps), drawn as dots
    dots: list[tuple[float, float]]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass
class Chart:
    """What ``operations/chart.html`` draws; ``id`` makes the title and description referable."""

    id: str
    title: str
    description: str
    series: list[Series]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = _LEFT
    top: int = _TOP
    bottom: int = HEIGHT - _BOTTOM
    right: int = WIDTH - _RIGHT
    bars: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value`` (>0)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return float(step * power)
    return float(10 * power)


def _y(value: float, top: float) -> float:
    return _TOP + _PLOT_H * (1 - value / top)


def _x_ticks(labels: Sequence[str], slot: float) -> list[Tick]:
    n = len(labels)
    if not n:
        return []
    every = max(1, math.ceil(n / _X_TICKS))
    return [Tick(_LEFT + slot * (i + 0.5), labels[i]) for i in range(0, n, every)]


def _y_ticks(top: float, label: Callable[[float], str]) -> list[Tick]:
    return [Tick(_y(top * f, top), label(top * f)) for f in (0.0, 0.5, 1.0)]


def _count(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def stacked_bars(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: Sequence[Sequence[float]],
) -> Chart:
    """Bars per time slot (``labels``), stacked from ``values[slot][series]`` bottom up."""
    n = max(len(labels), 1)
    top = nice_ceiling(max((sum(v) for v in values), default=0.0))
    slot = _PLOT_W / n
    width = max(slot * 0.8, 1.0)
    chart = Chart(chart_id, title, description, list(series))
    for i, stack in enumerate(values):
        base = 0.0
        for value, kind in zip(stack, series, strict=True):
            if value <= 0:
                continue
            y_low, y_high = _y(base, top), _y(base + value, top)
            chart.bars.append(
                Rect(
                    round(_LEFT + slot * i + (slot - width) / 2, 2),
                    round(y_high, 2),
                    round(width, 2),
                    round(y_low - y_high, 2),
                    kind.color,
                )
            )
            base += value
    chart.y_ticks = _y_ticks(top, _count)
    chart.x_ticks = _x_ticks(labels, slot)
    return chart


def duration(ms: float) -> str:
    """A duration for an axis or a table: ``250 ms``, ``1,5 s``."""
    if ms < 1000:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:.1f} s".replace(".", ",")


def lines(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: Sequence[Sequence[float | None]],
) -> Chart:
    """One line per series through ``values[slot][series]``, broken where a value is None."""
    n = max(len(labels), 1)
    found = [v for row in values for v in row if v is not None]
    top = nice_ceiling(max(found, default=0.0))
    slot = _PLOT_W / n
    chart = Chart(chart_id, title, description, list(series))
    for s, kind in enumerate(series):
        segments: list[list[tuple[float, float]]] = [[]]
        for i, row in enumerate(values):
            value = row[s]
            if value is None:
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append((round(_LEFT + slot * (i + 0.5), 2), round(_y(value, top), 2)))
        chart.lines.append(
            Line(
                [" ".join(f"{x},{y}" for x, y in seg) for seg in segments if len(seg) > 1],
                kind.color,
                kind.dash,
                [seg[0] for seg in segments if len(seg) == 1],
            )
        )
    chart.y_ticks = _y_ticks(top, duration)
    chart.x_ticks = _x_ticks(labels, slot)
    return chart
