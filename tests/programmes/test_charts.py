"""The case page's programme charts: coordinates only (no database, no template)."""

from __future__ import annotations

import pytest

from programmes.core import charts
from programmes.core.charts import Reading

WEEKS = [0, 1, 2, 4, 6]


def test_week_zero_is_the_left_edge_and_the_last_week_the_right() -> None:
    assert charts.x_for(0, 6) == charts.LEFT
    assert charts.x_for(6, 6) == charts.WIDTH - charts.RIGHT
    assert charts.x_for(3, 6) == pytest.approx(charts.LEFT + charts.PLOT_WIDTH / 2, abs=0.1)


@pytest.mark.parametrize(
    ("value", "top", "expected"),
    [
        (0, 10, charts.HEIGHT - charts.BOTTOM),
        (10, 10, charts.TOP),
        (5, 10, charts.TOP + charts.PLOT_HEIGHT / 2),
        (25, 50, charts.TOP + charts.PLOT_HEIGHT / 2),
        (12, 10, charts.TOP),  # clamped: nothing is drawn outside the plot
        (-1, 10, charts.HEIGHT - charts.BOTTOM),
    ],
)
def test_values_scale_from_the_bottom_of_the_plot_up(
    value: float, top: int, expected: float
) -> None:
    assert charts.y_for(value, top) == pytest.approx(expected, abs=0.1)


def test_a_chart_with_one_week_does_not_divide_by_zero() -> None:
    assert charts.x_for(0, 0) == charts.LEFT


def test_pain_chart_marks_the_two_point_change_either_side_of_the_baseline() -> None:
    chart = charts.pain_chart(
        [Reading(week=0, pain=5), Reading(week=1, pain=4), Reading(week=2, pain=3)],
        baseline=5,
        weeks=WEEKS,
    )
    # Improved: 3/10 or less (5 - 2); worse: 7/10 or more (5 + 2), up to the top of the scale.
    assert chart.improved is not None and chart.improved.value == 3
    assert chart.improved.y == charts.y_for(3, 10)
    assert chart.worse is not None
    assert chart.worse.y == charts.TOP
    assert chart.worse.height == pytest.approx(charts.y_for(7, 10) - charts.TOP, abs=0.1)
    assert chart.baseline is not None and chart.baseline.y == charts.y_for(5, 10)
    assert [(p.week, p.value) for p in chart.points] == [(0, 5), (1, 4), (2, 3)]
    assert chart.path.startswith(f"M {charts.LEFT:g} ")
    assert chart.path.count("L ") == 2


def test_pain_chart_without_room_for_a_change_leaves_the_marker_out() -> None:
    low = charts.pain_chart([], baseline=1, weeks=WEEKS)
    assert low.improved is None  # 1 - 2 is below the scale
    high = charts.pain_chart([], baseline=9, weeks=WEEKS)
    assert high.worse is None  # 9 + 2 is above it
    assert not low.has_data and low.path == ""


def test_pain_chart_skips_unanswered_check_ins_and_sorts_by_week() -> None:
    chart = charts.pain_chart(
        [Reading(week=2, pain=2), Reading(week=1), Reading(week=0, pain=4)], baseline=4, weeks=WEEKS
    )
    assert [p.week for p in chart.points] == [0, 2]


def test_ndi_chart_draws_the_five_point_mcid_below_the_first_score() -> None:
    chart = charts.ndi_chart(
        [Reading(week=0, ndi_points=18.0), Reading(week=6, ndi_points=11.5)], weeks=WEEKS
    )
    assert chart.improved is not None
    assert chart.improved.value == 13.0
    assert chart.improved.y == charts.y_for(13, 50)
    assert chart.points[-1].x == charts.WIDTH - charts.RIGHT
    assert chart.points[-1].y > chart.improved.y  # 11.5 is below the line: improved
    assert chart.worse is None


def test_ndi_chart_has_no_mcid_line_before_the_first_score() -> None:
    chart = charts.ndi_chart([Reading(week=1, pain=3)], weeks=WEEKS)
    assert chart.improved is None and chart.baseline is None and not chart.points


def test_adherence_bars_show_done_inside_planned_on_one_scale() -> None:
    chart = charts.adherence_chart(
        [
            Reading(week=1, sessions_done=2, sessions_planned=3),
            Reading(week=2, sessions_done=3, sessions_planned=3),
            Reading(week=4),  # not answered yet: no bar
        ],
        weeks=WEEKS,
    )
    assert [bar.week for bar in chart.bars] == [1, 2]
    first, second = chart.bars
    bottom = charts.HEIGHT - charts.BOTTOM
    assert first.planned_y == charts.TOP  # 3 is the top of the scale
    assert first.planned_height == pytest.approx(charts.PLOT_HEIGHT, abs=0.1)
    assert first.done_height == pytest.approx(charts.PLOT_HEIGHT * 2 / 3, abs=0.1)
    assert first.done_y + first.done_height == pytest.approx(bottom, abs=0.1)
    assert second.done_height == second.planned_height
    # Bars are centred on their week.
    assert first.x + first.width / 2 == pytest.approx(charts.x_for(1, 6), abs=0.1)


def test_programme_charts_builds_all_three() -> None:
    built = charts.programme_charts(
        [Reading(week=0, pain=4, ndi_points=12.0)], baseline_pain=4, weeks=WEEKS
    )
    assert built.pain.has_data and built.ndi.has_data and not built.adherence.has_data
    assert [tick.label for tick in built.pain.x_ticks] == ["Wk 0", "Wk 1", "Wk 2", "Wk 4", "Wk 6"]


def test_the_charts_draw_the_words_they_are_given() -> None:
    words = charts.Labels(
        week="W%(week)s",
        pain_start="S %(value)s",
        pain_improved="I %(value)s",
        pain_worse="X %(value)s",
        ndi_start="NS %(value)s",
        ndi_improved="NI %(value)s",
        number=lambda value: f"<{value:g}>",
    )
    drawn = charts.programme_charts(
        [Reading(week=0, pain=5, ndi_points=18.0, sessions_done=2, sessions_planned=3)],
        baseline_pain=5,
        weeks=[0, 1],
        labels=words,
    )
    assert [t.label for t in drawn.pain.x_ticks] == ["W<0>", "W<1>"]
    assert [t.label for t in drawn.adherence.x_ticks] == ["W<0>", "W<1>"]
    assert drawn.pain.baseline is not None and drawn.pain.baseline.label == "S <5>"
    assert drawn.pain.improved is not None and drawn.pain.improved.label == "I <3>"
    assert drawn.pain.worse is not None and drawn.pain.worse.label == "X <7>"
    assert drawn.ndi.baseline is not None and drawn.ndi.baseline.label == "NS <18>"
    assert drawn.ndi.improved is not None and drawn.ndi.improved.label == "NI <13>"


def test_without_words_given_the_charts_are_in_english() -> None:
    drawn = charts.pain_chart([Reading(week=0, pain=5)], baseline=5, weeks=[0, 6])
    assert [t.label for t in drawn.x_ticks] == ["Wk 0", "Wk 6"]
    assert drawn.improved is not None and drawn.improved.label == "Improved: 3/10 or less"
    assert drawn.worse is not None
    assert drawn.worse.label == "Worse: 7/10 or more re-enters triage"
