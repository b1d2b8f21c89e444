"""The scoring function as a table: answers in, category out; then the checks the admin runs.

The tools are shaped as `clinical/red-flags.md` section 5 gives their scoring facts, with no item
wording (we hold no licence): Keele STarT Back [S23], 9 items, 8 agree/disagree scored 0/1 and
item 9 (bothersomeness) positive only for "very much" or "extremely"; the psychosocial subscale is
items 5-9; total 0-3 low, total 4 or more with subscale 0-3 medium, subscale 4-5 high. The ÖMPSQ
short form [S25]: 10 items scored 0-10 (some reverse scored), total 0-100, 50 or more high.
"""

from __future__ import annotations

import pytest

from psychosocial import scoring
from psychosocial.scoring import Band, Item, Option, Problem, Tool

AGREE = (Option("disagree", "Disagree", 0), Option("agree", "Agree", 1))
BOTHERED = tuple(
    Option(str(n), label, score)
    for n, (label, score) in enumerate(
        [("Not at all", 0), ("Slightly", 0), ("Moderately", 0), ("Very much", 1), ("Extremely", 1)],
        start=1,
    )
)
START_BACK = Tool(
    items=(
        *(Item(str(n), AGREE, in_subscale=n >= 5) for n in range(1, 9)),
        Item("9", BOTHERED, in_subscale=True),
    ),
    bands=(
        Band("low", total_max=3),
        Band("medium", total_min=4, subscale_max=3),
        Band("high", subscale_min=4),
    ),
)
ZERO_TO_TEN = tuple(Option(str(n), str(n), n) for n in range(11))
OMPSQ_SHORT = Tool(
    items=tuple(Item(str(n), ZERO_TO_TEN, reverse_scored=n in (4, 5, 9, 10)) for n in range(1, 11)),
    bands=(Band("low", total_max=49), Band("high", total_min=50)),
)


def start_back(*agreed: int, bothered: str = "1") -> dict[str, str]:
    """STarT Back answers: the items agreed with, and item 9's answer (1-5)."""
    answers = {str(n): "agree" if n in agreed else "disagree" for n in range(1, 9)}
    return answers | {"9": bothered}


@pytest.mark.parametrize(
    ("answers", "category", "total", "subscale"),
    [
        pytest.param(start_back(), "low", 0, 0, id="nothing-agreed"),
        pytest.param(start_back(1, 2, 3), "low", 3, 0, id="total-3-is-low"),
        pytest.param(start_back(1, 2, 3, 4), "medium", 4, 0, id="total-4-subscale-0-is-medium"),
        pytest.param(start_back(1, 5, 6, 7), "medium", 4, 3, id="total-4-subscale-3-is-medium"),
        pytest.param(start_back(5, 6, 7, 8), "high", 4, 4, id="subscale-4-is-high"),
        pytest.param(start_back(5, 6, 7, 8, bothered="5"), "high", 5, 5, id="subscale-5-is-high"),
        pytest.param(
            start_back(1, 2, 3, 4, 5, 6, 7, bothered="3"),
            "medium",
            7,
            3,
            id="moderately-bothered-scores-0",
        ),
        pytest.param(
            start_back(1, 2, 3, 4, 5, 6, 7, bothered="4"),
            "high",
            8,
            4,
            id="very-much-bothered-scores-1",
        ),
        pytest.param(start_back(5, 6, 7), "low", 3, 3, id="subscale-3-but-total-3-is-low"),
    ],
)
def test_start_back_categories(
    answers: dict[str, str], category: str, total: int, subscale: int
) -> None:
    result = scoring.score(START_BACK, answers)
    assert (result.category, result.total, result.subscale) == (category, total, subscale)


@pytest.mark.parametrize(
    ("values", "category", "total"),
    [
        pytest.param([0] * 10, "low", 40, id="reverse-scored-items-count-10-at-0"),
        pytest.param([10, 9, 0, 10, 10, 0, 0, 0, 10, 10], "low", 19, id="low"),
        pytest.param([5, 5, 5, 5, 5, 5, 5, 5, 5, 5], "high", 50, id="total-50-is-high"),
        pytest.param([4, 5, 5, 5, 5, 5, 5, 5, 5, 5], "low", 49, id="total-49-is-low"),
    ],
)
def test_a_tool_without_a_subscale_bands_its_total(
    values: list[int], category: str, total: int
) -> None:
    result = scoring.score(OMPSQ_SHORT, {str(n): str(v) for n, v in enumerate(values, start=1)})
    assert (result.category, result.total, result.subscale) == (category, total, None)


def test_reverse_scoring_turns_the_scale_round() -> None:
    item = Item("1", ZERO_TO_TEN, reverse_scored=True)
    assert [item.score_of(str(n)) for n in (0, 3, 10)] == [10, 7, 0]


def test_an_unanswered_item_is_refused_never_scored_as_zero() -> None:
    answers = start_back()
    del answers["9"]
    with pytest.raises(scoring.MissingAnswer) as refused:
        scoring.score(START_BACK, answers)
    assert refused.value.keys == ["9"]


def test_an_answer_the_item_does_not_offer_is_refused() -> None:
    with pytest.raises(scoring.UnknownAnswer):
        scoring.score(START_BACK, start_back(bothered="6"))


# --- The checks the admin runs before a tool is saved ---------------------------------------------


def _kinds(tool: Tool) -> list[str]:
    return [p.kind for p in scoring.problems(tool)]


def _with_bands(*bands: Band) -> Tool:
    return Tool(items=START_BACK.items, bands=bands)


def test_the_published_tools_shapes_are_consistent() -> None:
    assert scoring.problems(START_BACK) == []
    assert scoring.problems(OMPSQ_SHORT) == []
    assert scoring.score_range(START_BACK) == (0, 9)
    assert scoring.score_range(OMPSQ_SHORT) == (0, 100)


@pytest.mark.parametrize(
    ("tool", "expected"),
    [
        pytest.param(
            _with_bands(Band("low", total_max=3), Band("high", subscale_min=4)),
            # Total 5 with subscale 0 cannot happen: items 1-4 give at most 4 outside it.
            [Problem("gap", pairs=((4, 0), (4, 1), (4, 2), (4, 3), (5, 1)), more=5)],
            id="gap-where-medium-was",
        ),
        pytest.param(
            _with_bands(
                Band("low", total_max=4),
                Band("medium", total_min=4, subscale_max=3),
                Band("high", subscale_min=4),
            ),
            [
                Problem("overlap", bands=(1, 2), pairs=((4, 0), (4, 1), (4, 2), (4, 3))),
                Problem("overlap", bands=(1, 3), pairs=((4, 4),)),
            ],
            id="total-4-in-two-bands",
        ),
        pytest.param(
            _with_bands(
                Band("low", total_max=3),
                Band("medium", total_min=4, subscale_max=3),
                Band("high", subscale_min=4),
                Band("high", total_min=20),
            ),
            [Problem("unreachable", band=4)],
            id="band-beyond-the-highest-total",
        ),
        pytest.param(
            _with_bands(Band("low", total_min=3, total_max=1)),
            [Problem("bounds_reversed", band=1, what="total")],
            id="bounds-reversed",
        ),
        pytest.param(
            Tool(items=OMPSQ_SHORT.items, bands=(Band("high", subscale_min=1),)),
            [Problem("subscale_without_items", band=1)],
            id="subscale-band-without-subscale-items",
        ),
        pytest.param(
            Tool(items=(), bands=()), [Problem("no_items"), Problem("no_bands")], id="empty"
        ),
        pytest.param(
            Tool(
                items=(
                    Item("1", (Option("1", "Only", 0),)),
                    Item("2", (Option("1", "A", 0), Option("1", "B", 1))),
                    Item("3", (Option("1", "A", -1), Option("2", "B", 1))),
                ),
                bands=(Band("low"),),
            ),
            [
                Problem("too_few_answers", item="1"),
                Problem("duplicate_value", item="2"),
                Problem("negative_score", item="3"),
            ],
            id="items-that-make-no-scale",
        ),
    ],
)
def test_an_inconsistent_tool_is_refused_naming_what_is_wrong(
    tool: Tool, expected: list[Problem]
) -> None:
    assert scoring.problems(tool) == expected


def test_a_tool_too_large_to_check_says_so() -> None:
    big = tuple(Option(str(n), str(n), n) for n in range(101))
    tool = Tool(
        items=tuple(Item(str(n), big, in_subscale=n % 2 == 0) for n in range(12)),
        bands=(Band("low"),),
    )
    assert _kinds(tool) == ["too_many_combinations"]
