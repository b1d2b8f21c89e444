"""Coordinates for the dashboard's bar charts (no Django), drawn as SVG by
`templates/outcomes/partials/bar_chart.html`, in the frame the programme charts use
(`programmes.core.charts`). A chart has one bar per label, each a stack of one segment per
series; every chart on the page has its figures in a table beside it as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from programmes.core.charts import Frame, Tick

WIDTH = 640
HEIGHT = 240
LEFT = 48
RIGHT = 16
TOP = 16
BOTTOM = 40
# The series' fills: dark enough against white for a 3:1 contrast (WCAG 1.4.11).
COLOURS = ("#0d6efd", "#b02a37", "#146c43", "#6f42c1")


@dataclass(frozen=True, slots=True)
class Segment:
    y: float
    height: float
    value: float
    series: int
    colour: str


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    width: float
    centre: float
    label: str
    segments: tuple[Segment, ...]
    show_label: bool


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    colour: str


@dataclass(frozen=True, slots=True)
class BarChart:
    frame: Frame
    bars: tuple[Bar, ...]
    y_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]

    @property
    def has_data(self) -> bool:
        return any(s.value for bar in self.bars for s in bar.segments)


def _nice_top(value: float) -> float:
    """A round ceiling for the axis: 1, 2, 5 or 10 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    top: float | None = None,
    percent: bool = False,
    max_labels: int = 14,
) -> BarChart:
    """Stacked bars, one per label; `percent` draws values of 0 to 1 on a 0-100% axis."""
    frame = Frame(
        width=WIDTH, height=HEIGHT, left=LEFT, top=TOP, right=WIDTH - RIGHT, bottom=HEIGHT - BOTTOM
    )
    count = max(len(labels), 1)
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top = top if top is not None else (1.0 if percent else _nice_top(max(totals, default=0)))
    slot = frame.plot_width / count
    width = round(min(48.0, slot * 0.7), 1)
    every = max(1, math.ceil(len(labels) / max_labels))

    def y_for(value: float) -> float:
        value = min(max(value, 0.0), top)
        return round(frame.top + (1 - value / top) * frame.plot_height, 1)

    bars = []
    for i, label in enumerate(labels):
        centre = round(frame.left + slot * (i + 0.5), 1)
        base = 0.0
        segments = []
        for n, (_, values) in enumerate(series):
            value = float(values[i])
            upper = y_for(base + value)
            lower = y_for(base)
            segments.append(
                Segment(upper, round(lower - upper, 1), value, n, COLOURS[n % len(COLOURS)])
            )
            base += value
        bars.append(
            Bar(
                x=round(centre - width / 2, 1),
                width=width,
                centre=centre,
                label=label,
                segments=tuple(segments),
                show_label=i % every == 0,
            )
        )
    steps = 4
    ticks = tuple(
        Tick(
            y_for(top * k / steps),
            f"{round(100 * k / steps)}%" if percent else f"{top * k / steps:g}",
        )
        for k in range(steps + 1)
    )
    return BarChart(
        frame=frame,
        bars=tuple(bars),
        y_ticks=ticks,
        series=tuple(Series(name, COLOURS[n % len(COLOURS)]) for n, (name, _) in enumerate(series)),
    )
