"""The Neck Disability Index: Vernon & Mior 1991 scoring and bands (red-flags.md section 6 [S26])."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programmes.ndi import (
    BAND_LABELS,
    MCID_POINTS,
    SECTIONS,
    SECTIONS_BY_KEY,
    band_for,
    meaningful_change,
    score,
)

KEYS = [section.key for section in SECTIONS]


def all_answered(value: int = 0, **changes: int | None) -> dict[str, int | None]:
    return {**dict.fromkeys(KEYS, value), **changes}


def with_raw(raw: int) -> dict[str, int | None]:
    """All ten sections answered, adding up to `raw`."""
    full, rest = divmod(raw, 5)
    values = [5] * full + ([rest] if rest else [])
    values += [0] * (10 - len(values))
    return dict(zip(KEYS, values, strict=True))


def test_the_ten_sections_are_in_the_standard_order() -> None:
    assert KEYS == [
        "pain_intensity",
        "personal_care",
        "lifting",
        "reading",
        "headaches",
        "concentration",
        "work",
        "driving",
        "sleeping",
        "recreation",
    ]


def test_each_section_has_six_distinct_statements_and_only_driving_is_optional() -> None:
    for section in SECTIONS:
        assert len(section.statements) == 6, section.key
        assert len(set(section.statements)) == 6, section.key
        assert section.title
    assert [s.key for s in SECTIONS if s.optional] == ["driving"]


def test_statements_are_the_clinics_own_wording_not_the_published_text() -> None:
    # A few opening lines of the published index: none may appear verbatim.
    published = [
        "I have no pain at the moment",
        "I can look after myself normally without causing extra pain",
        "I can lift heavy weights without extra pain",
        "I have no headaches at all",
        "I can do as much work as I want to",
        "I cannot do my usual work",
        "I cannot read at all",
        "I cannot concentrate at all",
        "I have no trouble sleeping",
        "My sleep is slightly disturbed",
    ]
    text = " ".join(str(s) for section in SECTIONS for s in section.statements).lower()
    for phrase in published:
        assert phrase.lower() not in text


def test_a_complete_ndi_scores_out_of_fifty() -> None:
    result = score(with_raw(20))
    assert (result.raw, result.answered, result.points, result.percent) == (20, 10, 20.0, 40.0)
    assert result.band == "moderate"
    assert result.band_label == "Moderate disability"


def test_a_skipped_section_is_scored_out_of_the_answered_maximum() -> None:
    # Vernon's worked example: 16 out of a possible 45 is 35.6% (red-flags.md section 6).
    answers = all_answered(2, driving=None, sleeping=1, recreation=1)
    result = score(answers)
    assert (result.raw, result.answered, result.percent, result.points) == (16, 9, 35.6, 17.8)


def test_a_missing_key_and_a_none_are_the_same_skip() -> None:
    answers = all_answered(3)
    del answers["driving"]
    assert score(answers) == score(all_answered(3, driving=None))


def test_eight_answered_sections_round_half_up() -> None:
    # 1 of 40 is 1.25 points: half-up to 1.3, not banker's 1.2.
    result = score(all_answered(0, pain_intensity=1, driving=None, work=None))
    assert (result.percent, result.points) == (2.5, 1.3)


def test_more_than_two_skipped_sections_is_refused() -> None:
    with pytest.raises(ValueError, match="only 7 of 10 NDI sections answered; at least 8"):
        score(all_answered(1, driving=None, work=None, reading=None))


def test_an_unknown_section_is_refused() -> None:
    with pytest.raises(ValueError, match="not NDI sections: neck_pain"):
        score({**all_answered(1), "neck_pain": 2})


@pytest.mark.parametrize("value", [-1, 6, True, 2.0, "3"])
def test_a_value_outside_nought_to_five_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="NDI lifting must be a whole number 0 to 5"):
        score({**all_answered(1), "lifting": value})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("raw", "band"),
    [
        (0, "none"),
        (4, "none"),
        (5, "mild"),
        (14, "mild"),
        (15, "moderate"),
        (24, "moderate"),
        (25, "severe"),
        (34, "severe"),
        (35, "complete"),
        (50, "complete"),
    ],
)
def test_vernons_bands_on_the_raw_score(raw: int, band: str) -> None:
    result = score(with_raw(raw))
    assert result.band == band
    assert result.band_label == BAND_LABELS[result.band]


def test_a_pro_rated_score_just_under_a_band_edge_stays_in_the_lower_band() -> None:
    # 13 of 45 -> 14.4 points: mild, not moderate.
    result = score(all_answered(0, driving=None, pain_intensity=5, lifting=5, reading=3))
    assert (result.points, result.band) == (14.4, "mild")


@pytest.mark.parametrize(
    ("before_raw", "after_raw", "change"),
    [
        (20, 15, "improved"),
        (20, 10, "improved"),
        (20, 16, "no_clear_change"),
        (20, 20, "no_clear_change"),
        (20, 24, "no_clear_change"),
        (20, 25, "worse"),
    ],
)
def test_five_points_is_the_meaningful_change(before_raw: int, after_raw: int, change: str) -> None:
    assert MCID_POINTS == 5
    assert meaningful_change(score(with_raw(before_raw)), score(with_raw(after_raw))) == change


def test_meaningful_change_is_exact_on_one_decimal_pro_rated_points() -> None:
    # 17.8 -> 12.8 points is exactly 5, although 17.8 - 12.8 is not 5.0 in floating point.
    before = score(all_answered(2, driving=None, sleeping=1, recreation=1))  # 16/45 -> 17.8
    after = score(all_answered(1, driving=None, pain_intensity=2, lifting=2))  # 11/45 -> 12.2
    assert before.points == 17.8
    assert meaningful_change(before, after) == "improved"
    nearly = score(all_answered(2, driving=None, sleeping=1, recreation=0, headaches=1))
    assert round(before.points - nearly.points, 1) < MCID_POINTS
    assert meaningful_change(before, nearly) == "no_clear_change"


# Every section scored, then up to two of them skipped: the answers score() accepts.
ndi_answers = st.tuples(
    st.fixed_dictionaries({key: st.integers(0, 5) for key in KEYS}),
    st.sets(st.sampled_from(KEYS), max_size=2),
).map(lambda pair: {k: None if k in pair[1] else v for k, v in pair[0].items()})


@given(ndi_answers)
def test_percent_is_twice_the_points_and_the_band_follows_the_points(
    answers: dict[str, int | None],
) -> None:
    result = score(answers)
    assert 0 <= result.percent <= 100
    # Both are rounded from the same exact score: 17.5% is 8.75 points, shown as 8.8.
    assert abs(result.percent - 2 * result.points) <= 0.1 + 1e-9
    assert result.band == band_for(result.points)
    assert result.raw == sum(v for v in answers.values() if v is not None)


@given(st.integers(0, 5), st.sets(st.sampled_from(KEYS), max_size=2))
def test_skipping_sections_does_not_change_an_even_score(value: int, skipped: set[str]) -> None:
    answers = all_answered(value, **dict.fromkeys(skipped))
    assert score(answers).points == value * 10


def test_sections_are_looked_up_by_key() -> None:
    assert SECTIONS_BY_KEY["driving"].optional
