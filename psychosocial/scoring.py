"""Scoring a psychosocial screening questionnaire: answers in, risk category out. No Django here.

The clinic defines the questionnaire it holds a licence for (STarT MSK, STarT Back, ÖMPSQ-SF:
`clinical/red-flags.md` section 5) as data: its items, each with the scores of its answers, and
the bands that turn the total (and, for a tool that has one, a subscale) into a category. This
module reads that data as plain values, so the same function scores an intake and checks, in the
admin, that a tool's bands give every possible set of answers exactly one category.

A band is a rectangle: a category for totals from `total_min` to `total_max` and, for a tool with a
subscale, subscale sums from `subscale_min` to `subscale_max` (None is open-ended). Keele's STarT
Back [S23], for example, is three bands over a total of 0-9 and a psychosocial subscale (items 5-9)
of 0-5: total 0-3 low; total 4-9 with subscale 0-3 medium; total 4-9 with subscale 4-5 high.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Category = Literal["low", "medium", "high"]
CATEGORIES: tuple[Category, ...] = ("low", "medium", "high")
# Beyond this many (total, subscale) pairs a tool is not checked exhaustively (no published tool
# comes near: STarT Back has 60, ÖMPSQ-SF 101).
MAX_PAIRS_CHECKED = 250_000
SHOWN = 5  # scores listed in a problem; the rest are counted


@dataclass(frozen=True, slots=True)
class Option:
    """One answer an item offers: the value the form sends, the words shown, the score it adds."""

    value: str
    label: str
    score: int


@dataclass(frozen=True, slots=True)
class Item:
    key: str  # the form's name for the item; unique within the tool
    options: tuple[Option, ...]
    reverse_scored: bool = False
    in_subscale: bool = False

    @property
    def scores(self) -> tuple[int, ...]:
        """What each option adds to the total, reverse scoring applied (lowest + highest - score)."""
        raw = [o.score for o in self.options]
        if not self.reverse_scored or not raw:
            return tuple(raw)
        low, high = min(raw), max(raw)
        return tuple(low + high - s for s in raw)

    def score_of(self, value: str) -> int:
        for option, score in zip(self.options, self.scores, strict=True):
            if option.value == value:
                return score
        raise UnknownAnswer(self.key, value)


@dataclass(frozen=True, slots=True)
class Band:
    category: Category
    total_min: int | None = None
    total_max: int | None = None
    subscale_min: int | None = None
    subscale_max: int | None = None

    def contains(self, total: int, subscale: int) -> bool:
        return (
            (self.total_min is None or total >= self.total_min)
            and (self.total_max is None or total <= self.total_max)
            and (self.subscale_min is None or subscale >= self.subscale_min)
            and (self.subscale_max is None or subscale <= self.subscale_max)
        )

    @property
    def uses_subscale(self) -> bool:
        return self.subscale_min is not None or self.subscale_max is not None


@dataclass(frozen=True, slots=True)
class Tool:
    items: tuple[Item, ...]
    bands: tuple[Band, ...]

    @property
    def has_subscale(self) -> bool:
        return any(item.in_subscale for item in self.items)


@dataclass(frozen=True, slots=True)
class Result:
    category: Category
    total: int
    subscale: int | None  # None for a tool without a subscale
    scores: dict[str, int]  # each item's score, by key


class UnknownAnswer(ValueError):
    def __init__(self, key: str, value: str) -> None:
        self.key, self.value = key, value
        super().__init__(f"item {key}: {value!r} is not one of its answers")


class MissingAnswer(ValueError):
    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        super().__init__(f"no answer for item(s) {', '.join(keys)}")


class NoCategory(ValueError):
    """The bands give these scores no category, or more than one (a tool `problems` refuses)."""


def score(tool: Tool, answers: Mapping[str, str]) -> Result:
    """The category for one patient's answers (item key -> the option value they chose)."""
    missing = [item.key for item in tool.items if item.key not in answers]
    if missing:
        raise MissingAnswer(missing)
    scores = {item.key: item.score_of(answers[item.key]) for item in tool.items}
    total = sum(scores.values())
    subscale = sum(scores[item.key] for item in tool.items if item.in_subscale)
    matching = [band for band in tool.bands if band.contains(total, subscale)]
    if len(matching) != 1:
        raise NoCategory(
            f"total {total}, subscale {subscale}: {len(matching)} bands match, not exactly one"
        )
    return Result(
        category=matching[0].category,
        total=total,
        subscale=subscale if tool.has_subscale else None,
        scores=scores,
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a tool: a kind the admin words (`psychosocial.admin`), and its facts."""

    kind: Literal[
        "no_items",
        "too_few_answers",
        "duplicate_value",
        "negative_score",
        "no_bands",
        "bounds_reversed",
        "subscale_without_items",
        "too_many_combinations",
        "gap",
        "overlap",
        "unreachable",
    ]
    item: str = ""  # the item's key
    band: int = 0  # the band's number, counting from 1 in the order given
    what: Literal["", "total", "subscale"] = ""  # for bounds_reversed
    pairs: tuple[tuple[int, int], ...] = ()  # (total, subscale) concerned: gap and overlap
    more: int = 0  # how many more pairs than those listed
    bands: tuple[int, ...] = ()  # the numbers of the bands that overlap


def problems(tool: Tool) -> list[Problem]:
    """Everything that stops `tool` from giving every possible set of answers one category.

    Empty when the tool is consistent: each item has at least two answers with distinct values
    and scores of zero or more, each band's bounds are in order, subscale bounds only on a tool
    with a subscale, every reachable (total, subscale) pair in exactly one band (no gaps, no
    overlaps) and every band reachable.
    """
    found: list[Problem] = []
    if not tool.items:
        found.append(Problem("no_items"))
    for item in tool.items:
        if len(item.options) < 2:
            found.append(Problem("too_few_answers", item=item.key))
        values = [o.value for o in item.options]
        if len(set(values)) != len(values):
            found.append(Problem("duplicate_value", item=item.key))
        if any(o.score < 0 for o in item.options):
            found.append(Problem("negative_score", item=item.key))
    if not tool.bands:
        found.append(Problem("no_bands"))
    for number, band in enumerate(tool.bands, start=1):
        bounds: tuple[tuple[Literal["total", "subscale"], int | None, int | None], ...] = (
            ("total", band.total_min, band.total_max),
            ("subscale", band.subscale_min, band.subscale_max),
        )
        for what, low, high in bounds:
            if low is not None and high is not None and low > high:
                found.append(Problem("bounds_reversed", band=number, what=what))
        if band.uses_subscale and not tool.has_subscale:
            found.append(Problem("subscale_without_items", band=number))
    if found:
        return found  # coverage means nothing until the items and bands themselves are sound

    subscale_sums = _reachable(item.scores for item in tool.items if item.in_subscale)
    other_sums = _reachable(item.scores for item in tool.items if not item.in_subscale)
    if len(subscale_sums) * len(other_sums) > MAX_PAIRS_CHECKED:
        return [Problem("too_many_combinations")]
    gaps: list[tuple[int, int]] = []
    overlaps: dict[tuple[int, int], tuple[int, ...]] = {}
    reached: set[int] = set()
    for subscale in subscale_sums:
        for other in other_sums:
            total = subscale + other
            matching = [i for i, b in enumerate(tool.bands) if b.contains(total, subscale)]
            reached.update(matching)
            if not matching:
                gaps.append((total, subscale))
            elif len(matching) > 1:
                overlaps[(total, subscale)] = tuple(i + 1 for i in matching)
    if gaps:
        gaps.sort()
        found.append(Problem("gap", pairs=tuple(gaps[:SHOWN]), more=max(len(gaps) - SHOWN, 0)))
    by_bands: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for pair, numbers in sorted(overlaps.items()):
        by_bands.setdefault(numbers, []).append(pair)
    for numbers, pairs in by_bands.items():
        found.append(
            Problem(
                "overlap",
                bands=numbers,
                pairs=tuple(pairs[:SHOWN]),
                more=max(len(pairs) - SHOWN, 0),
            )
        )
    for i in range(len(tool.bands)):
        if i not in reached:
            found.append(Problem("unreachable", band=i + 1))
    return found


def score_range(tool: Tool) -> tuple[int, int]:
    """The lowest and highest total the items can give."""
    return (
        sum(min(item.scores, default=0) for item in tool.items),
        sum(max(item.scores, default=0) for item in tool.items),
    )


def _reachable(score_sets: Iterable[tuple[int, ...]]) -> list[int]:
    sums = {0}
    for scores in score_sets:
        sums = {s + x for s in sums for x in set(scores)}
    return sorted(sums)
