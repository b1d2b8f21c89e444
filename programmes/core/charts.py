"""Coordinates for the case page's programme charts (no Django): pain and the Neck Disability
Index over the check-in weeks, each against its clinically important change, and adherence.

- Pain (NPRS 0-10): a 2-point change is clinically important (red-flags.md section 6 [S27],
  `programmes.screen.WORSE_PAIN_POINTS`). A dashed line marks baseline - 2 (improved); the zone
  from baseline + 2 up is where a check-in re-enters triage.
- NDI (0-50 points): the MCID is 5 points (Vernon [S26], `programmes.ndi.MCID_POINTS`). A dashed
  line marks the starting score - 5.
- Adherence: per check-in, sessions done against sessions planned.

Everything here is arithmetic on plain numbers; the template draws the SVG from the dataclasses.
The words drawn in the charts (week ticks, the reference lines' labels) come in as `Labels`, in
the reader's language: the app layer builds them with gettext (`programmes.panels`), so this
module stays free of Django; without them, English.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from programmes.core.thresholds import MCID_POINTS, WORSE_PAIN_POINTS

WIDTH = 560
HEIGHT = 220
LEFT = 44
RIGHT = 16
TOP = 16
BOTTOM = 36
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM

PAIN_MAX = 10
NDI_MAX = 50
BAR_MAX_WIDTH = 28.0


def plain_number(value: float) -> str:
    """3.0 as "3", 11.5 as "11.5": the English way of writing a score."""
    return f"{value:g}"


@dataclass(frozen=True, slots=True)
class Labels:
    """The words drawn in the charts, each a %-format with named values (`%(week)s`,
    `%(value)s`), and how a number is written (the decimal mark is the language's)."""

    week: str = "Wk %(week)s"
    pain_start: str = "Start: %(value)s/10"
    pain_improved: str = "Improved: %(value)s/10 or less"
    pain_worse: str = "Worse: %(value)s/10 or more re-enters triage"
    ndi_start: str = "Start: %(value)s/50"
    ndi_improved: str = "Improved: %(value)s/50 or less"
    number: Callable[[float], str] = plain_number

    def week_label(self, week: int) -> str:
        return self.week % {"week": self.number(week)}

    def value_label(self, template: str, value: float) -> str:
        return template % {"value": self.number(value)}


ENGLISH = Labels()


@dataclass(frozen=True, slots=True)
class Reading:
    """One check-in as the charts need it; None where it was not answered or not asked."""

    week: int
    pain: int | None = None
    ndi_points: float | None = None
    sessions_done: int | None = None
    sessions_planned: int | None = None


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    week: int
    value: float


@dataclass(frozen=True, slots=True)
class Line:
    """A horizontal reference line across the plot."""

    y: float
    value: float
    label: str


@dataclass(frozen=True, slots=True)
class Zone:
    """A horizontal band of the plot, from `y` down `height`."""

    y: float
    height: float
    label: str


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    width: float
    week: int
    planned_y: float
    planned_height: float
    done_y: float
    done_height: float
    done: int
    planned: int


@dataclass(frozen=True, slots=True)
class Frame:
    """The drawing area shared by every chart."""

    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM

    @property
    def plot_width(self) -> int:
        return self.right - self.left

    @property
    def plot_height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class LineChart:
    frame: Frame
    points: tuple[Point, ...]
    path: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    improved: Line | None
    worse: Zone | None
    baseline: Line | None

    @property
    def has_data(self) -> bool:
        return bool(self.points)


@dataclass(frozen=True, slots=True)
class BarChart:
    frame: Frame
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]

    @property
    def has_data(self) -> bool:
        return bool(self.bars)


@dataclass(frozen=True, slots=True)
class ProgrammeCharts:
    pain: LineChart
    ndi: LineChart
    adherence: BarChart


def x_for(week: float, last_week: int) -> float:
    """Week 0 at the left edge of the plot, `last_week` at the right."""
    return round(LEFT + week / max(last_week, 1) * PLOT_WIDTH, 1)


def y_for(value: float, top_value: float) -> float:
    """0 at the bottom of the plot, `top_value` at the top; values outside are clamped."""
    value = min(max(value, 0), top_value)
    return round(TOP + (1 - value / top_value) * PLOT_HEIGHT, 1)


def _path(points: Sequence[Point]) -> str:
    return " ".join(f"{'M' if n == 0 else 'L'} {p.x:g} {p.y:g}" for n, p in enumerate(points))


def _week_ticks(weeks: Sequence[int], last_week: int, labels: Labels) -> tuple[Tick, ...]:
    return tuple(
        Tick(x_for(week, last_week), labels.week_label(week)) for week in sorted(set(weeks))
    )


def _value_ticks(top_value: int, step: int) -> tuple[Tick, ...]:
    return tuple(Tick(y_for(v, top_value), str(v)) for v in range(0, top_value + 1, step))


def pain_chart(
    readings: Sequence[Reading],
    *,
    baseline: int,
    weeks: Sequence[int],
    labels: Labels = ENGLISH,
) -> LineChart:
    """Pain over the weeks against the 2-point change from `baseline`: improved at or below
    baseline - 2; worse (back to triage) at baseline + 2 and above."""
    last = max(weeks, default=0)
    points = tuple(
        Point(x_for(r.week, last), y_for(r.pain, PAIN_MAX), r.week, r.pain)
        for r in sorted(readings, key=lambda r: r.week)
        if r.pain is not None
    )
    improved_at = baseline - WORSE_PAIN_POINTS
    worse_from = baseline + WORSE_PAIN_POINTS
    worse = None
    if worse_from <= PAIN_MAX:
        bottom = y_for(worse_from, PAIN_MAX)
        worse = Zone(
            y=float(TOP),
            height=round(bottom - TOP, 1),
            label=labels.value_label(labels.pain_worse, worse_from),
        )
    return LineChart(
        frame=Frame(),
        points=points,
        path=_path(points),
        x_ticks=_week_ticks(weeks, last, labels),
        y_ticks=_value_ticks(PAIN_MAX, 2),
        improved=Line(
            y_for(improved_at, PAIN_MAX),
            improved_at,
            labels.value_label(labels.pain_improved, improved_at),
        )
        if improved_at >= 0
        else None,
        worse=worse,
        baseline=Line(
            y_for(baseline, PAIN_MAX), baseline, labels.value_label(labels.pain_start, baseline)
        ),
    )


def ndi_chart(
    readings: Sequence[Reading], *, weeks: Sequence[int], labels: Labels = ENGLISH
) -> LineChart:
    """NDI points over the weeks against the 5-point threshold from the first score."""
    last = max(weeks, default=0)
    scored = [r for r in sorted(readings, key=lambda r: r.week) if r.ndi_points is not None]
    points = tuple(
        Point(x_for(r.week, last), y_for(float(r.ndi_points), NDI_MAX), r.week, float(r.ndi_points))
        for r in scored
        if r.ndi_points is not None
    )
    improved = baseline = None
    if points:
        start = points[0].value
        baseline = Line(points[0].y, start, labels.value_label(labels.ndi_start, start))
        target = start - MCID_POINTS
        if target >= 0:
            improved = Line(
                y_for(target, NDI_MAX), target, labels.value_label(labels.ndi_improved, target)
            )
    return LineChart(
        frame=Frame(),
        points=points,
        path=_path(points),
        x_ticks=_week_ticks(weeks, last, labels),
        y_ticks=_value_ticks(NDI_MAX, 10),
        improved=improved,
        worse=None,
        baseline=baseline,
    )


def adherence_chart(
    readings: Sequence[Reading], *, weeks: Sequence[int], labels: Labels = ENGLISH
) -> BarChart:
    """Per answered check-in, a bar of sessions planned with the sessions done inside it."""
    last = max(weeks, default=0)
    rows = [
        r
        for r in sorted(readings, key=lambda r: r.week)
        if r.sessions_planned is not None and r.sessions_done is not None
    ]
    top = max([1, *(r.sessions_planned or 0 for r in rows), *(r.sessions_done or 0 for r in rows)])
    width = min(BAR_MAX_WIDTH, PLOT_WIDTH / (max(last, 1) + 1) * 0.6)
    bars = []
    for r in rows:
        planned, done = r.sessions_planned or 0, r.sessions_done or 0
        planned_y, done_y = y_for(planned, top), y_for(done, top)
        bars.append(
            Bar(
                x=round(x_for(r.week, last) - width / 2, 1),
                width=round(width, 1),
                week=r.week,
                planned_y=planned_y,
                planned_height=round(HEIGHT - BOTTOM - planned_y, 1),
                done_y=done_y,
                done_height=round(HEIGHT - BOTTOM - done_y, 1),
                done=done,
                planned=planned,
            )
        )
    step = max(1, -(-top // 5))
    return BarChart(
        frame=Frame(),
        bars=tuple(bars),
        x_ticks=_week_ticks(weeks, last, labels),
        y_ticks=tuple(Tick(y_for(v, top), str(v)) for v in range(0, top + 1, step)),
    )


def programme_charts(
    readings: Sequence[Reading],
    *,
    baseline_pain: int,
    weeks: Sequence[int],
    labels: Labels = ENGLISH,
) -> ProgrammeCharts:
    return ProgrammeCharts(
        pain=pain_chart(readings, baseline=baseline_pain, weeks=weeks, labels=labels),
        ndi=ndi_chart(readings, weeks=weeks, labels=labels),
        adherence=adherence_chart(readings, weeks=weeks, labels=labels),
    )
